// The JSON models of services and backends, shared by `service list`,
// `backend list` and `stats` (the documented, stable -j schema).
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <vector>

#include "model/model.hpp"
#include "model/ops.hpp"
#include "state/state.hpp"
#include "state/stats.hpp"

namespace xlb {

nlohmann::json backend_view(const Service& s, const Backend& b, const StatsSnapshot* st);
nlohmann::json service_view(const Service& s, const StatsSnapshot* st);
nlohmann::json global_view(const StatsSnapshot& st);

// The services a read command shows: all, or the one named.
Result<std::vector<const Service*>> select_services(const Config& cfg,
                                                    const std::optional<ServiceRef>& ref);

// What the read commands start from: the live configuration and counters.
struct LiveView {
  Config config;
  StatsSnapshot stats;
};
Result<LiveView> read_live_view(const State& st);

}  // namespace xlb
