// Which VIPs to announce: a VIP is announced while every service on it has
// at least `need` usable backends (enabled, healthy, weight > 0). A prefix
// VIP (service add ... 192.0.2.20/30:80) is announced as its prefix.
#pragma once

#include <vector>

#include "model/model.hpp"

namespace xlb {

struct VipState {
  IpPrefix vip;  // a host prefix for a single-address VIP
  bool announced = false;
};

// Every VIP of the configuration, sorted, with its announcement.
std::vector<VipState> vip_states(const Config& c);
// Only the announced ones.
std::vector<IpPrefix> announced_vips(const Config& c);

}  // namespace xlb
