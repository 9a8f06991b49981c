#include "health/weights_follow.hpp"

#include <map>
#include <vector>

#include "health/health_checker.hpp"
#include "model/dynamic_weights.hpp"
#include "model/ops.hpp"
#include "state/flows.hpp"
#include "state/state.hpp"

namespace xlb {

namespace {

using FlowCounts = std::map<uint32_t, uint64_t>;  // backend id -> live flows

// One pass over the flow table, only when some service weighs by flows.
Result<FlowCounts> flow_counts(const State& st, const Config& cfg) {
  FlowCounts counts;
  bool wanted = false;
  for (const auto& s : cfg.services) wanted = wanted || s.weights == WeightMode::flows;
  if (!wanted) return counts;
  auto flows = list_flows(st.maps());
  if (!flows) return flows.error();
  for (const auto& f : *flows) counts[f.backend_id]++;
  return counts;
}

std::vector<BackendLoad> loads_of(const Service& s, const FlowCounts& counts,
                                  const HealthChecker& checker) {
  std::vector<BackendLoad> loads;
  for (const auto& b : s.backends) {
    auto it = counts.find(b.id);
    loads.push_back({it == counts.end() ? 0 : it->second, checker.response_us(s.name, b.addr)});
  }
  return loads;
}

// The new effective weights of one service, as they were worked out.
struct Proposal {
  std::string service;
  WeightMode mode;
  std::vector<std::pair<Backend, uint32_t>> weights;  // the backend as read, its new weight
};

std::string describe(const Proposal& p) {
  std::string s = "dynamic weights (" + to_string(p.mode) + ") of service " + p.service + ":";
  for (const auto& [b, w] : p.weights) s += " " + b.addr.str() + " " + std::to_string(w);
  return s;
}

// Writes them unless the service or a backend changed since they were read
// (mode or weight): the next round works them out again.
Status write_weights(State& st, const std::vector<Proposal>& proposals) {
  return st.update([&](Config& next) -> Status {
    for (const auto& p : proposals) {
      Service* s = next.find_service(p.service);
      if (!s || s->weights != p.mode) continue;
      for (const auto& [read, w] : p.weights) {
        Backend* b = s->find_backend(read.addr);
        if (b && b->weight == read.weight) b->effective_weight = w;
      }
    }
    return {};
  });
}

}  // namespace

Result<size_t> follow_dynamic_weights(State& st, const Config& cfg, const HealthChecker& checker,
                                      const std::function<void(const std::string&)>& log) {
  auto counts = flow_counts(st, cfg);
  if (!counts) return counts.error();
  std::vector<Proposal> proposals;
  for (const auto& s : cfg.services) {
    if (s.weights == WeightMode::fixed) continue;
    auto proposed = effective_weights(s, loads_of(s, *counts, checker));
    if (!weights_moved(s, proposed)) continue;
    Proposal p{s.name, s.weights, {}};
    for (size_t i = 0; i < s.backends.size(); i++)
      p.weights.emplace_back(s.backends[i], proposed[i]);
    proposals.push_back(std::move(p));
  }
  if (proposals.empty()) return size_t{0};
  XLB_TRY(write_weights(st, proposals));
  for (const auto& p : proposals) log(describe(p));
  return proposals.size();
}

}  // namespace xlb
