#include "model/dynamic_weights.hpp"

#include <algorithm>
#include <cmath>

namespace xlb {

namespace {

// Smooths response times: microseconds of noise are no trend.
constexpr double kResponseFloorUs = 100.0;

// The weighted mean of the measured loads (flows or round trips) per unit
// of weight, over the backends that take part (weight > 0).
struct Average {
  double load = 0;
  bool any = false;
};

Average average_flows(const Service& s, const std::vector<BackendLoad>& loads) {
  double flows = 0, weight = 0;
  for (size_t i = 0; i < s.backends.size(); i++) {
    if (s.backends[i].weight == 0) continue;
    flows += static_cast<double>(loads[i].flows);
    weight += s.backends[i].weight;
  }
  return weight > 0 ? Average{flows / weight, true} : Average{};
}

Average average_response(const Service& s, const std::vector<BackendLoad>& loads) {
  double sum = 0, weight = 0;
  for (size_t i = 0; i < s.backends.size(); i++) {
    if (s.backends[i].weight == 0 || !loads[i].response_us) continue;
    sum += *loads[i].response_us * s.backends[i].weight;
    weight += s.backends[i].weight;
  }
  return weight > 0 ? Average{sum / weight, true} : Average{};
}

// How much more (or less) than its configured share a backend should get.
double load_factor(WeightMode m, const Average& avg, const Backend& b, const BackendLoad& l) {
  if (!avg.any) return 1.0;
  if (m == WeightMode::flows)
    return (avg.load + 1.0) / (static_cast<double>(l.flows) / b.weight + 1.0);
  if (!l.response_us) return 1.0;
  return (avg.load + kResponseFloorUs) / (*l.response_us + kResponseFloorUs);
}

uint32_t scaled(uint32_t weight, double factor) {
  factor = std::clamp(factor, kMinWeightFactor, kMaxWeightFactor);
  double w = std::round(double{kWeightScale} * weight * factor);
  return static_cast<uint32_t>(std::clamp(w, 1.0, 4.0e9));
}

}  // namespace

std::vector<uint32_t> effective_weights(const Service& s, const std::vector<BackendLoad>& loads) {
  std::vector<uint32_t> out(s.backends.size(), 0);
  if (loads.size() != s.backends.size()) return out;
  Average avg =
      s.weights == WeightMode::flows ? average_flows(s, loads) : average_response(s, loads);
  for (size_t i = 0; i < s.backends.size(); i++) {
    const Backend& b = s.backends[i];
    if (s.weights == WeightMode::fixed || b.weight == 0) {
      out[i] = b.weight;
      continue;
    }
    out[i] = scaled(b.weight, load_factor(s.weights, avg, b, loads[i]));
  }
  return out;
}

bool weights_moved(const Service& s, const std::vector<uint32_t>& proposed) {
  if (proposed.size() != s.backends.size()) return false;
  for (size_t i = 0; i < proposed.size(); i++) {
    const double now = s.table_weight(s.backends[i]);
    const double diff = std::fabs(static_cast<double>(proposed[i]) - now);
    if (diff > 1.0 && diff > kWeightHysteresis * now) return true;
  }
  return false;
}

}  // namespace xlb
