// `ip route get ADDR`: which interface and which local address the kernel
// uses to reach an address. The health-check NAT path sends each probe out
// of that interface, from that address, so the backend's reply comes back
// to the load balancer.
#pragma once

#include <optional>

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

}  // namespace xlb
