// `ip route get ADDR`: which interface and which local address the kernel
// uses to reach an address. The health-check NAT path sends each probe out
// of that interface, from that address, so the backend's reply comes back
// to the load balancer.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "base/addr.hpp"
#include "base/result.hpp"

namespace xlb {

struct RouteInfo {
  int ifindex = 0;
  IpAddr source;                  // the preferred source address for the destination
  std::optional<IpAddr> gateway;  // none: the destination is on-link
};

// oif (not 0): the route out of that interface, as `ip route get ADDR oif DEV`.
Result<RouteInfo> route_get(const IpAddr& dst, int oif = 0);

// The same for many lookups in a row (a commit resolves every backend's
// next hop): one netlink socket for all of them instead of one each. It
// answers for the network namespace it was opened in.
class RouteLookup {
 public:
  // Requests per send in prefetch(). Each reply is a datagram of its own,
  // queued before the send returns (rtnetlink answers in the sender's
  // context), and takes about 4.5 KiB of the socket's receive buffer (an
  // NLMSG_GOODSIZE skb): 32 stay well inside the default 208 KiB.
  static constexpr size_t kDefaultBatch = 32;

  explicit RouteLookup(size_t batch = kDefaultBatch) : batch_(batch ? batch : 1) {}
  RouteLookup(RouteLookup&& o) noexcept
      : batch_(o.batch_), fd_(o.fd_), seq_(o.seq_), cache_(std::move(o.cache_)) {
    o.fd_ = -1;
  }
  RouteLookup& operator=(RouteLookup&& o) noexcept;
  RouteLookup(const RouteLookup&) = delete;
  RouteLookup& operator=(const RouteLookup&) = delete;
  ~RouteLookup();

  using Key = std::pair<IpAddr, int>;  // destination, oif (0: any)

  // Answers for the same destination and interface come from a cache: one
  // write of the next hops asks once per address, however many services
  // share it.
  Result<RouteInfo> get(const IpAddr& dst, int oif = 0);

  // Fills the cache for all of `keys` at a few system calls per batch of
  // addresses instead of two per address: a commit of 1,000 backends asked
  // one at a time spends more in netlink round trips than in the rest of
  // its work. Best effort: what a batch misses, get() asks alone.
  void prefetch(const std::vector<Key>& keys);

 private:
  Result<RouteInfo> ask(const IpAddr& dst, int oif);
  bool open_socket();
  bool ask_batch(std::span<const Key> keys);
  size_t read_batch(std::span<const Key> keys, uint32_t first_seq);

  size_t batch_;
  int fd_ = -1;
  uint32_t seq_ = 0;
  std::map<std::pair<IpAddr, int>, Result<RouteInfo>> cache_;
};

}  // namespace xlb
