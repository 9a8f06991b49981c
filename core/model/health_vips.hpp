// Which VIPs to announce: a VIP is announced while every service on it has
// at least `need` usable backends (enabled, healthy, weight > 0).
#pragma once

#include <vector>

#include "model/model.hpp"

namespace xlb {

struct VipState {
  IpAddr vip;
  bool announced = false;
};

// Every VIP of the configuration, sorted, with its announcement.
std::vector<VipState> vip_states(const Config& c);
// Only the announced ones.
std::vector<IpAddr> announced_vips(const Config& c);

}  // namespace xlb
