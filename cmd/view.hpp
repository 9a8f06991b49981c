// The JSON models of services and backends, shared by `service list`,
// `backend list` and `stats` (the documented, stable -j schema).
#pragma once

#include <nlohmann/json.hpp>

#include "model.hpp"
#include "stats.hpp"

namespace xlb::cli {

nlohmann::json backend_view(const Service& s, const Backend& b, const StatsSnapshot* st);
nlohmann::json service_view(const Service& s, const StatsSnapshot* st);
nlohmann::json global_view(const StatsSnapshot& st);

}  // namespace xlb::cli
