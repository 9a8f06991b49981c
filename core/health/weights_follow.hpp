// xlb-healthd's dynamic weights (service ... weights flows|response): every
// few seconds, the effective weight of each backend of those services from
// its live flows in the flow table or its probes' round trips, written in
// one transaction for the services whose weights moved past the hysteresis.
#pragma once

#include <functional>
#include <string>

#include "base/result.hpp"
#include "model/model.hpp"

namespace xlb {

class State;
class HealthChecker;

// Returns how many services got new effective weights; each is logged.
Result<size_t> follow_dynamic_weights(State& st, const Config& cfg, const HealthChecker& checker,
                                      const std::function<void(const std::string&)>& log);

}  // namespace xlb
