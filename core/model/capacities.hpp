// How many services, backends and flows the maps hold: chosen at the first
// attach (`interface attach ... services N backends N flows N`).
#pragma once

#include <cstdint>

#include "xlb_abi.h"

namespace xlb {

struct Capacities {
  uint32_t services = XLB_DEFAULT_MAX_SERVICES;
  uint32_t backends = XLB_DEFAULT_MAX_BACKENDS;
  uint32_t flows = XLB_DEFAULT_MAX_FLOWS;
};

}  // namespace xlb
