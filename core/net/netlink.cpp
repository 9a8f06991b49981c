#include "net/netlink.hpp"

#include <arpa/inet.h>
#include <netlink/route/link.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/rtnl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <thread>

namespace xlb {

namespace {

LinkInfo to_info(rtnl_link* l) {
  LinkInfo info;
  info.name = rtnl_link_get_name(l);
  info.ifindex = rtnl_link_get_ifindex(l);
  info.mtu = rtnl_link_get_mtu(l);
  nl_addr* a = rtnl_link_get_addr(l);
  if (a && nl_addr_get_len(a) == 6)
    std::memcpy(info.mac.bytes.data(), nl_addr_get_binary_addr(a), 6);
  return info;
}

Result<LinkInfo> get_link(int ifindex, const char* name, const std::string& what) {
  auto s = route_socket();
  if (!s) return s.error();
  rtnl_link* l = nullptr;
  int err = rtnl_link_get_kernel(s->get(), ifindex, name, &l);
  if (err < 0) return runtime_error("no such interface: " + what);
  LinkInfo info = to_info(l);
  rtnl_link_put(l);
  return info;
}

// A usable MAC for addr in the neighbour table, or an all-zero MAC.
MacAddr lookup_neighbour(nl_sock* s, const IpAddr& addr) {
  MacAddr mac;
  nl_cache* cache = nullptr;
  if (rtnl_neigh_alloc_cache(s, &cache) < 0) return mac;
  int family = addr.is_v6() ? AF_INET6 : AF_INET;
  for (nl_object* o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
    auto* n = reinterpret_cast<rtnl_neigh*>(o);
    nl_addr* dst = rtnl_neigh_get_dst(n);
    nl_addr* ll = rtnl_neigh_get_lladdr(n);
    int state = rtnl_neigh_get_state(n);
    if (!dst || !ll || nl_addr_get_family(dst) != family || nl_addr_get_len(ll) != 6) continue;
    if (state & (NUD_INCOMPLETE | NUD_FAILED | NUD_NOARP)) continue;
    if (std::memcmp(nl_addr_get_binary_addr(dst), addr.bytes.data(), addr.is_v6() ? 16 : 4))
      continue;
    std::memcpy(mac.bytes.data(), nl_addr_get_binary_addr(ll), 6);
    break;
  }
  nl_cache_free(cache);
  return mac;
}

// Sending one datagram makes the kernel resolve the next hop; the discard
// port keeps it harmless.
void provoke_resolution(const IpAddr& addr) {
  int fd = socket(addr.is_v6() ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  sockaddr_storage ss{};
  socklen_t len;
  if (addr.is_v6()) {
    auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons(9);
    std::memcpy(&s6->sin6_addr, addr.bytes.data(), 16);
    len = sizeof(*s6);
  } else {
    auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
    s4->sin_family = AF_INET;
    s4->sin_port = htons(9);
    std::memcpy(&s4->sin_addr, addr.bytes.data(), 4);
    len = sizeof(*s4);
  }
  (void)sendto(fd, "", 0, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&ss), len);
  close(fd);
}

}  // namespace

Result<NlSock> route_socket() {
  NlSock s(nl_socket_alloc());
  if (!s) return runtime_error("netlink: out of memory");
  int err = nl_connect(s.get(), NETLINK_ROUTE);
  if (err < 0) return runtime_error(std::string("netlink: ") + nl_geterror(err));
  return s;
}

void prime_next_hop(const IpAddr& addr) { provoke_resolution(addr); }

Result<LinkInfo> link_by_name(const std::string& name) { return get_link(0, name.c_str(), name); }

Result<LinkInfo> link_by_index(int ifindex) {
  return get_link(ifindex, nullptr, "ifindex " + std::to_string(ifindex));
}

Result<MacAddr> resolve_neighbour(const IpAddr& addr, std::chrono::milliseconds wait) {
  auto s = route_socket();
  if (!s) return s.error();
  MacAddr mac = lookup_neighbour(s->get(), addr);
  auto deadline = std::chrono::steady_clock::now() + wait;
  for (int round = 0; mac.is_zero() && std::chrono::steady_clock::now() < deadline; round++) {
    if (round % 10 == 0) provoke_resolution(addr);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    mac = lookup_neighbour(s->get(), addr);
  }
  if (mac.is_zero())
    return runtime_error("cannot resolve the MAC address of " + addr.str() +
                         ": no answer to ARP/ND (is it on a directly connected network?); "
                         "give it with `mac XX:XX:XX:XX:XX:XX`");
  return mac;
}

}  // namespace xlb
