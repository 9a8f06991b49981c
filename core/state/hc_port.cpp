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
#include "net/route.hpp"
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

// True when the pair is new (no qdisc, no program on it yet).
Result<bool> create_pair(nl_sock* s) {
  int err = rtnl_link_veth_add(s, XLB_HC_HOST_DEV, XLB_HC_DP_DEV, getpid());
  if (err < 0 && err != -NLE_EXIST) return nl_error("create " XLB_HC_HOST_DEV, err);
  // The datapath side is a wire, not a host: no IPv6 link-local, no DAD.
  XLB_TRY(disable_ipv6(XLB_HC_DP_DEV));
  XLB_TRY(set_flags_and_csum(XLB_HC_HOST_DEV, true));
  XLB_TRY(set_flags_and_csum(XLB_HC_DP_DEV, false));
  return err >= 0;
}

Status attach_filter(bpf_tc_hook& hook, int prog_fd) {
  bpf_tc_opts opts{};
  opts.sz = sizeof(opts);
  opts.handle = 1;
  opts.priority = 1;
  opts.prog_fd = prog_fd;
  opts.flags = BPF_TC_F_REPLACE;
  int err = bpf_tc_attach(&hook, &opts);
  if (err != 0) return sys_error("hc port: attach xlb_hc_guard to " XLB_HC_HOST_DEV, -err);
  return {};
}

// xlb_hc_guard on the host side's egress (a clsact filter; replaced in
// place when a newer xlb sets the port up again). An existing port has its
// clsact qdisc: creating it again makes the kernel answer "Exclusivity flag
// on", which libbpf prints, so there the filter is replaced first.
Status attach_guard(int ifindex, int prog_fd, bool fresh) {
  bpf_tc_hook hook{};
  hook.sz = sizeof(hook);
  hook.ifindex = ifindex;
  hook.attach_point = BPF_TC_EGRESS;
  if (!fresh && attach_filter(hook, prog_fd)) return {};
  int err = bpf_tc_hook_create(&hook);
  if (err != 0 && err != -EEXIST) return sys_error("hc port: add clsact to " XLB_HC_HOST_DEV, -err);
  return attach_filter(hook, prog_fd);
}

Status attach_programs(const std::string& pin_path, const LinkInfo& host, const LinkInfo& dp,
                       bool fresh) {
  auto progs = load_hc_programs({pin_path, Capacities{}, MacAddr{}});
  if (!progs) return progs.error();
  if (bpf_xdp_attach(dp.ifindex, progs->probe.fd(), XDP_FLAGS_DRV_MODE, nullptr) != 0)
    return hc_error("attach xlb_hc to " XLB_HC_DP_DEV);
  if (bpf_xdp_attach(host.ifindex, progs->host.fd(), XDP_FLAGS_DRV_MODE, nullptr) != 0)
    return hc_error("attach the XDP_PASS program to " XLB_HC_HOST_DEV);
  return attach_guard(host.ifindex, progs->guard.fd(), fresh);
}

// Tells the datapath where the port is (ifindex 0: there is none) and the
// addresses probes come from; no write when the settings already say so.
Status write_port(const Maps& m, int dp_ifindex, const MacAddr& host, const MacAddr& dp,
                  const Settings& st) {
  uint32_t zero = 0;
  xlb_hc_cfg cfg{};
  if (bpf_map_lookup_elem(m.hc_cfg(), &zero, &cfg) != 0) return hc_error("read settings");
  xlb_hc_cfg want = cfg;
  want.dp_ifindex = dp_ifindex;
  std::memcpy(want.host_mac, host.bytes.data(), 6);
  std::memcpy(want.dp_mac, dp.bytes.data(), 6);
  want.host4 = nat_host_address(st, XLB_AF_INET).to_abi().w[0];
  want.host6 = nat_host_address(st, XLB_AF_INET6).to_abi();
  if (std::memcmp(&want, &cfg, sizeof(cfg)) == 0) return {};
  if (bpf_map_update_elem(m.hc_cfg(), &zero, &want, BPF_ANY) != 0)
    return hc_error("write settings");
  return {};
}

Status write_port(const std::string& pin_path, int dp_ifindex, const MacAddr& host,
                  const MacAddr& dp, const Settings& st) {
  auto m = Maps::open(pin_path);
  if (!m) return m.error();
  return write_port(*m, dp_ifindex, host, dp, st);
}

// Whether the port in this namespace is the one these pins were set up
// with: a writer in another namespace must not take over that one's port.
Result<bool> owns_port(const Maps& m, int dp_ifindex) {
  uint32_t zero = 0;
  xlb_hc_cfg cfg{};
  if (bpf_map_lookup_elem(m.hc_cfg(), &zero, &cfg) != 0) return sys_error("read settings");
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

bool is_wanted(nl_addr* a, const IpAddr& want) {
  return nl_addr_get_family(a) == (want.is_v6() ? AF_INET6 : AF_INET) &&
         nl_addr_get_len(a) == (want.is_v6() ? 16u : 4u) &&
         std::memcmp(nl_addr_get_binary_addr(a), want.bytes.data(), nl_addr_get_len(a)) == 0;
}

// The port's global addresses against the wanted ones: one of an older NAT
// range (stale), and how many of the wanted ones it holds.
struct PortAddresses {
  bool stale = false;
  int wanted = 0;
};

Result<PortAddresses> port_addresses(nl_sock* s, int ifindex, const Settings& st) {
  nl_cache* cache = nullptr;
  int err = rtnl_addr_alloc_cache(s, &cache);
  if (err < 0) return nl_error("list addresses", err);
  PortAddresses out;
  for (nl_object* o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
    auto* a = reinterpret_cast<rtnl_addr*>(o);
    if (rtnl_addr_get_ifindex(a) != ifindex || rtnl_addr_get_scope(a) == RT_SCOPE_LINK) continue;
    bool wanted = false;
    for (int family : {XLB_AF_INET, XLB_AF_INET6})
      wanted = wanted || is_wanted(rtnl_addr_get_local(a), nat_host_address(st, family));
    if (wanted) out.wanted++;
    out.stale = out.stale || !wanted;
  }
  nl_cache_free(cache);
  return out;
}

// Whether every NAT range the port carries is routed into it, from its
// address: an operator's `ip route del` is repaired by the next writer.
bool ranges_routed(int ifindex, const Settings& st, bool ipv6) {
  RouteLookup routes;
  for (int family : {XLB_AF_INET, XLB_AF_INET6}) {
    if (family == XLB_AF_INET6 && !ipv6) continue;
    auto r = routes.get(nat_range(st, family).addr);
    if (!r || r->ifindex != ifindex || r->source != nat_host_address(st, family)) return false;
  }
  return true;
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
  auto fresh = create_pair(s->get());
  if (!fresh) return fresh.error();
  auto host = link_by_name(XLB_HC_HOST_DEV);
  if (!host) return host.error();
  auto dp = link_by_name(XLB_HC_DP_DEV);
  if (!dp) return dp.error();
  XLB_TRY(attach_programs(pin_path, *host, *dp, *fresh));
  XLB_TRY(write_port(pin_path, dp->ifindex, host->mac, dp->mac, st));
  return add_ranges(s->get(), host->ifindex, st);
}

Status hc_port_sync(const Maps& m, const Settings& st) {
  if (!hc_port_exists()) return {};
  auto host = link_by_name(XLB_HC_HOST_DEV);
  if (!host) return host.error();
  auto dp = link_by_name(XLB_HC_DP_DEV);
  if (!dp) return dp.error();
  auto ours = owns_port(m, dp->ifindex);
  if (!ours) return ours.error();
  if (!*ours) return {};
  auto s = route_socket();
  if (!s) return s.error();
  auto have = port_addresses(s->get(), host->ifindex, st);
  if (!have) return have.error();
  if (have->stale) {
    // A new range: a new port, so nothing of the old range lingers.
    XLB_TRY(hc_port_remove(m.pin_path()));
    return hc_port_setup(m.pin_path(), st);
  }
  XLB_TRY(write_port(m, dp->ifindex, host->mac, dp->mac, st));
  bool ipv6 = hc_port_ipv6();
  // What is already in place is not written again: most commits change
  // neither the NAT ranges nor the port, and each netlink write costs.
  if (have->wanted == (ipv6 ? 2 : 1) && ranges_routed(host->ifindex, st, ipv6)) return {};
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
