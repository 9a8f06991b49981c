#include "state/hc_port.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "base/sys_error.hpp"
#include "model/nat.hpp"
#include "net/ipv6.hpp"
#include "net/netlink.hpp"
#include "state/maps.hpp"

namespace xlb {

namespace {

Error nl_error(const std::string& what, int err) {
  return runtime_error("hc port: " + what + ": " + nl_geterror(err));
}

Error hc_error(const std::string& what) { return sys_error("hc port: " + what); }

// IFF_UP | IFF_NOARP, and tx checksum offload off, by the classic ioctls.
Status set_flags_and_csum(const char* dev, bool csum_off) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return hc_error("socket");
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, dev, IFNAMSIZ - 1);
  int err = ioctl(fd, SIOCGIFFLAGS, &ifr);
  ifr.ifr_flags |= IFF_UP | IFF_NOARP;
  if (!err) err = ioctl(fd, SIOCSIFFLAGS, &ifr);
  ethtool_value ev{ETHTOOL_STXCSUM, 0};
  ifr.ifr_data = reinterpret_cast<char*>(&ev);
  if (!err && csum_off) err = ioctl(fd, SIOCETHTOOL, &ifr);
  int saved = errno;
  close(fd);
  errno = saved;
  if (err) return hc_error(std::string("configure ") + dev);
  return {};
}

// A host without IPv6 (ipv6.disable=1) has no such file: nothing to turn
// off, and the port works without IPv6 (DESIGN 6: degrade, keep IPv4).
Status disable_ipv6(const char* dev) {
  std::string path = std::string("/proc/sys/net/ipv6/conf/") + dev + "/disable_ipv6";
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) return {};
  bool ok = fd >= 0 && write(fd, "1", 1) == 1;
  int saved = errno;
  if (fd >= 0) close(fd);
  if (!ok) return sys_error("hc port: disable IPv6 on " + std::string(dev), saved);
  return {};
}

Status create_pair(nl_sock* s) {
  int err = rtnl_link_veth_add(s, XLB_HC_HOST_DEV, XLB_HC_DP_DEV, getpid());
  if (err < 0 && err != -NLE_EXIST) return nl_error("create " XLB_HC_HOST_DEV, err);
  // The datapath side is a wire, not a host: no IPv6 link-local, no DAD.
  XLB_TRY(disable_ipv6(XLB_HC_DP_DEV));
  XLB_TRY(set_flags_and_csum(XLB_HC_HOST_DEV, true));
  return set_flags_and_csum(XLB_HC_DP_DEV, false);
}

// xlb_hc_guard on the host side's egress (a clsact filter; replaced in
// place when a newer xlb sets the port up again).
Status attach_guard(int ifindex, int prog_fd) {
  bpf_tc_hook hook{};
  hook.sz = sizeof(hook);
  hook.ifindex = ifindex;
  hook.attach_point = BPF_TC_EGRESS;
  int err = bpf_tc_hook_create(&hook);
  if (err != 0 && err != -EEXIST) return sys_error("hc port: add clsact to " XLB_HC_HOST_DEV, -err);
  bpf_tc_opts opts{};
  opts.sz = sizeof(opts);
  opts.handle = 1;
  opts.priority = 1;
  opts.prog_fd = prog_fd;
  opts.flags = BPF_TC_F_REPLACE;
  err = bpf_tc_attach(&hook, &opts);
  if (err != 0) return sys_error("hc port: attach xlb_hc_guard to " XLB_HC_HOST_DEV, -err);
  return {};
}

Status attach_programs(const std::string& pin_path, const LinkInfo& host, const LinkInfo& dp) {
  auto progs = load_hc_programs({pin_path, Capacities{}, MacAddr{}});
  if (!progs) return progs.error();
  if (bpf_xdp_attach(dp.ifindex, progs->probe.fd(), XDP_FLAGS_DRV_MODE, nullptr) != 0)
    return hc_error("attach xlb_hc to " XLB_HC_DP_DEV);
  if (bpf_xdp_attach(host.ifindex, progs->host.fd(), XDP_FLAGS_DRV_MODE, nullptr) != 0)
    return hc_error("attach the XDP_PASS program to " XLB_HC_HOST_DEV);
  return attach_guard(host.ifindex, progs->guard.fd());
}

// Tells the datapath where the port is (ifindex 0: there is none) and the
// addresses probes come from.
Status write_port(const std::string& pin_path, int dp_ifindex, const MacAddr& host,
                  const MacAddr& dp, const Settings& st) {
  auto m = Maps::open(pin_path);
  if (!m) return m.error();
  uint32_t zero = 0;
  xlb_hc_cfg cfg{};
  if (bpf_map_lookup_elem(m->hc_cfg(), &zero, &cfg) != 0) return hc_error("read settings");
  cfg.dp_ifindex = dp_ifindex;
  std::memcpy(cfg.host_mac, host.bytes.data(), 6);
  std::memcpy(cfg.dp_mac, dp.bytes.data(), 6);
  cfg.host4 = nat_host_address(st, XLB_AF_INET).to_abi().w[0];
  cfg.host6 = nat_host_address(st, XLB_AF_INET6).to_abi();
  if (bpf_map_update_elem(m->hc_cfg(), &zero, &cfg, BPF_ANY) != 0)
    return hc_error("write settings");
  return {};
}

// Whether the port in this namespace is the one these pins were set up
// with: a writer in another namespace must not take over that one's port.
Result<bool> owns_port(const std::string& pin_path, int dp_ifindex) {
  auto m = Maps::open(pin_path);
  if (!m) return m.error();
  uint32_t zero = 0;
  xlb_hc_cfg cfg{};
  if (bpf_map_lookup_elem(m->hc_cfg(), &zero, &cfg) != 0) return sys_error("read settings");
  return cfg.dp_ifindex != 0 && int(cfg.dp_ifindex) == dp_ifindex;
}

nl_addr* to_nl(const IpAddr& a, int len) {
  nl_addr* n = nl_addr_build(a.is_v6() ? AF_INET6 : AF_INET, a.bytes.data(), a.is_v6() ? 16 : 4);
  if (n) nl_addr_set_prefixlen(n, len);
  return n;
}

Status add_address(nl_sock* s, int ifindex, const IpAddr& a) {
  rtnl_addr* addr = rtnl_addr_alloc();
  nl_addr* local = to_nl(a, a.is_v6() ? 128 : 32);
  rtnl_addr_set_ifindex(addr, ifindex);
  rtnl_addr_set_local(addr, local);
  if (a.is_v6()) rtnl_addr_set_flags(addr, IFA_F_NODAD);
  int err = rtnl_addr_add(s, addr, 0);
  nl_addr_put(local);
  rtnl_addr_put(addr);
  if (err < 0 && err != -NLE_EXIST) return nl_error("add address " + a.str(), err);
  return {};
}

Status add_route(nl_sock* s, int ifindex, const IpPrefix& range, const IpAddr& src) {
  rtnl_route* r = rtnl_route_alloc();
  nl_addr* dst = to_nl(range.addr, range.len);
  nl_addr* pref = to_nl(src, src.is_v6() ? 128 : 32);
  rtnl_route_set_family(r, src.is_v6() ? AF_INET6 : AF_INET);
  rtnl_route_set_dst(r, dst);
  rtnl_route_set_pref_src(r, pref);
  rtnl_route_set_scope(r, src.is_v6() ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
  rtnl_nexthop* nh = rtnl_route_nh_alloc();
  rtnl_route_nh_set_ifindex(nh, ifindex);
  rtnl_route_add_nexthop(r, nh);
  int err = rtnl_route_add(s, r, NLM_F_CREATE | NLM_F_REPLACE);
  nl_addr_put(dst);
  nl_addr_put(pref);
  rtnl_route_put(r);
  if (err < 0) return nl_error("add route " + range.str(), err);
  return {};
}

bool wanted_address(nl_addr* a, const Settings& st) {
  for (int family : {XLB_AF_INET, XLB_AF_INET6}) {
    IpAddr host = nat_host_address(st, family);
    if (nl_addr_get_family(a) == (host.is_v6() ? AF_INET6 : AF_INET) &&
        nl_addr_get_len(a) == (host.is_v6() ? 16u : 4u) &&
        std::memcmp(nl_addr_get_binary_addr(a), host.bytes.data(), nl_addr_get_len(a)) == 0)
      return true;
  }
  return false;
}

// Whether the port holds an address of an older NAT range.
Result<bool> has_stale_address(nl_sock* s, int ifindex, const Settings& st) {
  nl_cache* cache = nullptr;
  int err = rtnl_addr_alloc_cache(s, &cache);
  if (err < 0) return nl_error("list addresses", err);
  bool stale = false;
  for (nl_object* o = nl_cache_get_first(cache); o && !stale; o = nl_cache_get_next(o)) {
    auto* a = reinterpret_cast<rtnl_addr*>(o);
    if (rtnl_addr_get_ifindex(a) == ifindex && rtnl_addr_get_scope(a) != RT_SCOPE_LINK)
      stale = !wanted_address(rtnl_addr_get_local(a), st);
  }
  nl_cache_free(cache);
  return stale;
}

// Without IPv6 on the port (a host with IPv6 disabled) its IPv6 range is
// left out: IPv4 probes still work (see hc_port_ipv6).
Status add_ranges(nl_sock* s, int ifindex, const Settings& st) {
  for (int family : {XLB_AF_INET, XLB_AF_INET6}) {
    if (family == XLB_AF_INET6 && !hc_port_ipv6()) continue;
    IpPrefix range = nat_range(st, family);
    IpAddr host = nat_host_address(st, family);
    XLB_TRY(add_address(s, ifindex, host));
    XLB_TRY(add_route(s, ifindex, range, host));
  }
  return {};
}

}  // namespace

bool hc_port_exists() { return if_nametoindex(XLB_HC_HOST_DEV) != 0; }

bool hc_port_ipv6() { return ipv6_enabled(XLB_HC_HOST_DEV); }

Status hc_port_setup(const std::string& pin_path, const Settings& st) {
  auto s = route_socket();
  if (!s) return s.error();
  XLB_TRY(create_pair(s->get()));
  auto host = link_by_name(XLB_HC_HOST_DEV);
  if (!host) return host.error();
  auto dp = link_by_name(XLB_HC_DP_DEV);
  if (!dp) return dp.error();
  XLB_TRY(attach_programs(pin_path, *host, *dp));
  XLB_TRY(write_port(pin_path, dp->ifindex, host->mac, dp->mac, st));
  return add_ranges(s->get(), host->ifindex, st);
}

Status hc_port_sync(const std::string& pin_path, const Settings& st) {
  if (!hc_port_exists()) return {};
  auto host = link_by_name(XLB_HC_HOST_DEV);
  if (!host) return host.error();
  auto dp = link_by_name(XLB_HC_DP_DEV);
  if (!dp) return dp.error();
  auto ours = owns_port(pin_path, dp->ifindex);
  if (!ours) return ours.error();
  if (!*ours) return {};
  auto s = route_socket();
  if (!s) return s.error();
  auto stale = has_stale_address(s->get(), host->ifindex, st);
  if (!stale) return stale.error();
  if (*stale) {
    // A new range: a new port, so nothing of the old range lingers.
    XLB_TRY(hc_port_remove(pin_path));
    return hc_port_setup(pin_path, st);
  }
  XLB_TRY(write_port(pin_path, dp->ifindex, host->mac, dp->mac, st));
  return add_ranges(s->get(), host->ifindex, st);
}

Status hc_port_remove(const std::string& pin_path) {
  XLB_TRY(write_port(pin_path, 0, MacAddr{}, MacAddr{}, Settings{}));
  if (!hc_port_exists()) return {};
  auto s = route_socket();
  if (!s) return s.error();
  rtnl_link* l = rtnl_link_alloc();
  rtnl_link_set_name(l, XLB_HC_HOST_DEV);
  int err = rtnl_link_delete(s->get(), l);
  rtnl_link_put(l);
  if (err < 0 && err != -NLE_OBJ_NOTFOUND && err != -NLE_NODEV)
    return nl_error("delete " XLB_HC_HOST_DEV, err);
  return {};
}

}  // namespace xlb
