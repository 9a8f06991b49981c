// What the kernel knows about links and neighbours, over rtnetlink (libnl).
#pragma once

#include <netlink/socket.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/addr.hpp"
#include "base/result.hpp"

namespace xlb {

struct NlSockDeleter {
  void operator()(nl_sock* s) const { nl_socket_free(s); }
};
using NlSock = std::unique_ptr<nl_sock, NlSockDeleter>;

// A connected NETLINK_ROUTE socket (libnl).
Result<NlSock> route_socket();

struct LinkInfo {
  std::string name;
  int ifindex = 0;
  MacAddr mac;
  uint32_t mtu = 0;
};

Result<LinkInfo> link_by_name(const std::string& name);
Result<LinkInfo> link_by_index(int ifindex);

// The MAC of a directly connected host, from the neighbour table. When the
// table has no usable entry, asks the kernel to resolve it (ARP or ND) and
// waits up to `wait`.
Result<MacAddr> resolve_neighbour(const IpAddr& addr, std::chrono::milliseconds wait);

// One neighbour entry as the kernel's table has it, reduced to what a next
// hop needs: a MAC to send to (reachable, stale...), one being resolved, or
// one that the kernel gave up on.
enum class NeighState : uint8_t { usable, stale, incomplete, failed };
struct Neighbour {
  MacAddr mac;  // zero unless usable or stale
  NeighState state = NeighState::incomplete;
};
// The neighbour table, IPv4 and IPv6, by address (where an address has
// entries on several links, a usable one wins).
Result<std::map<IpAddr, Neighbour>> read_neighbours();

// The MACs of several hosts at once: asks the kernel to resolve all those the
// table lacks, then waits for them together until `wait` has passed or all
// are resolved (with no wait: asks and returns). Hosts that do not answer
// are absent from the result.
std::map<IpAddr, MacAddr> resolve_neighbours(const std::vector<IpAddr>& addrs,
                                             std::chrono::milliseconds wait);

// Makes the kernel resolve the neighbour of the next hop towards addr (one
// empty datagram to its discard port), without waiting: the tunnel datapath
// finds next hops with bpf_fib_lookup(), which only reads the neighbour
// table and cannot trigger ARP/ND itself.
void prime_next_hop(const IpAddr& addr);

}  // namespace xlb
