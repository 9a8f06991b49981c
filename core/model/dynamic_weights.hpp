// Dynamic weights (service ... weights flows|response): the effective
// weight of each backend from its configured weight and a measure of its
// load, and the hysteresis that decides when a service's effective weights
// are worth rewriting. Pure arithmetic; xlb-healthd gathers the measures.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "model/model.hpp"

namespace xlb {

// One backend's measure: its live flows (weights flows) or the mean round
// trip of its health-check probes in microseconds (weights response; none:
// not measured yet).
struct BackendLoad {
  uint64_t flows = 0;
  std::optional<double> response_us;
};

// Bounds of the load factor: a backend gets at least 1/100 and at most 10
// times its configured share.
constexpr double kMinWeightFactor = 0.01;
constexpr double kMaxWeightFactor = 10.0;
// Effective weights are rewritten when one moves by more than this
// fraction of its current value.
constexpr double kWeightHysteresis = 0.15;

// The effective weight of each backend of `s` (in the order of
// s.backends; `loads` has one entry per backend), on the kWeightScale scale:
// kWeightScale x weight x factor, where the factor compares the backend's
// load per unit of weight with the service's average:
//   flows:    (avg + 1) / (flows / weight + 1), avg = total flows / total weight
//             (Envoy's least request: weight / (active + 1), averaged to 1)
//   response: (avg + c) / (rtt + c), avg = weighted mean of the measured
//             round trips, c = 100 us (so microsecond noise is not a trend)
// A backend with weight 0 gets 0; one without a measure keeps factor 1.
// Under static weights every backend gets its configured weight.
std::vector<uint32_t> effective_weights(const Service& s, const std::vector<BackendLoad>& loads);

// Whether `proposed` differs enough from what the backends have now
// (s.table_weight) to be written: some backend moved by more than
// kWeightHysteresis of its current weight (and by more than 1).
bool weights_moved(const Service& s, const std::vector<uint32_t>& proposed);

}  // namespace xlb
