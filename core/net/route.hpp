// `ip route get ADDR`: which interface and which local address the kernel
// uses to reach an address. The health-check NAT path sends each probe out
// of that interface, from that address, so the backend's reply comes back
// to the load balancer.
#pragma once

#include "base/addr.hpp"
#include "base/result.hpp"

namespace xlb {

struct RouteInfo {
  int ifindex = 0;
  IpAddr source;  // the preferred source address for the destination
};

Result<RouteInfo> route_get(const IpAddr& dst);

}  // namespace xlb
