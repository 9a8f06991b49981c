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

NeighState neigh_state(int nud) {
  if (nud & NUD_FAILED) return NeighState::failed;
  if (nud & NUD_INCOMPLETE) return NeighState::incomplete;
  if (nud & (NUD_STALE | NUD_DELAY | NUD_PROBE)) return NeighState::stale;
  return NeighState::usable;  // reachable, permanent, noarp-with-address
}

// An entry of the table as (address, Neighbour); false for entries that are
// not IPv4/IPv6 hosts with an Ethernet address or NOARP ones (multicast).
bool to_neighbour(rtnl_neigh* n, IpAddr& addr, Neighbour& out) {
  nl_addr* dst = rtnl_neigh_get_dst(n);
  nl_addr* ll = rtnl_neigh_get_lladdr(n);
  int state = rtnl_neigh_get_state(n);
  if (!dst || (state & NUD_NOARP)) return false;
  int family = nl_addr_get_family(dst);
  size_t len = family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
  if (len == 0 || nl_addr_get_len(dst) != len) return false;
  addr = IpAddr{};
  addr.family = family == AF_INET ? XLB_AF_INET : XLB_AF_INET6;
  std::memcpy(addr.bytes.data(), nl_addr_get_binary_addr(dst), len);
  out.state = neigh_state(state);
  out.mac = MacAddr{};
  bool has_mac = out.state == NeighState::usable || out.state == NeighState::stale;
  if (has_mac && ll && nl_addr_get_len(ll) == 6)
    std::memcpy(out.mac.bytes.data(), nl_addr_get_binary_addr(ll), 6);
  else if (has_mac)
    return false;
  return true;
}

// Where an address has several entries, the one with a MAC wins.
bool better(const Neighbour& a, const Neighbour& b) {
  auto rank = [](NeighState s) {
    return s == NeighState::usable ? 0 : s == NeighState::stale ? 1 : 2;
  };
  return rank(a.state) < rank(b.state);
}

std::map<IpAddr, Neighbour> dump_neighbours(nl_sock* s) {
  std::map<IpAddr, Neighbour> out;
  nl_cache* cache = nullptr;
  if (rtnl_neigh_alloc_cache(s, &cache) < 0) return out;
  for (nl_object* o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
    IpAddr a;
    Neighbour n;
    if (!to_neighbour(reinterpret_cast<rtnl_neigh*>(o), a, n)) continue;
    auto [it, fresh] = out.emplace(a, n);
    if (!fresh && better(n, it->second)) it->second = n;
  }
  nl_cache_free(cache);
  return out;
}

// A usable MAC for addr in the neighbour table, or an all-zero MAC.
MacAddr lookup_neighbour(nl_sock* s, const IpAddr& addr) {
  auto table = dump_neighbours(s);
  auto it = table.find(addr);
  return it == table.end() ? MacAddr{} : it->second.mac;
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
  // Only a nudge: when it fails (no route, EAGAIN) the neighbour stays
  // unresolved, and the caller polling the neighbour table reports that.
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

Result<std::map<IpAddr, Neighbour>> read_neighbours() {
  auto s = route_socket();
  if (!s) return s.error();
  return dump_neighbours(s->get());
}

std::map<IpAddr, MacAddr> resolve_neighbours(const std::vector<IpAddr>& addrs,
                                             std::chrono::milliseconds wait) {
  std::map<IpAddr, MacAddr> found;
  auto s = route_socket();
  if (!s || addrs.empty()) return found;
  auto deadline = std::chrono::steady_clock::now() + wait;
  for (int round = 0;; round++) {
    auto table = dump_neighbours(s->get());
    std::vector<IpAddr> missing;
    for (const auto& a : addrs) {
      auto it = table.find(a);
      if (it != table.end() && !it->second.mac.is_zero())
        found[a] = it->second.mac;
      else
        missing.push_back(a);
    }
    if (missing.empty()) break;
    // The kernel retries ARP/ND on its own; a new datagram every 500 ms
    // restarts resolution where an entry already FAILED.
    if (round % 10 == 0)
      for (const auto& a : missing) provoke_resolution(a);
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return found;
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
