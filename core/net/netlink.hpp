// What the kernel knows about links and neighbours, over rtnetlink (libnl).
#pragma once

#include <netlink/socket.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

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

// Makes the kernel resolve the neighbour of the next hop towards addr (one
// empty datagram to its discard port), without waiting: the tunnel datapath
// finds next hops with bpf_fib_lookup(), which only reads the neighbour
// table and cannot trigger ARP/ND itself.
void prime_next_hop(const IpAddr& addr);

}  // namespace xlb
