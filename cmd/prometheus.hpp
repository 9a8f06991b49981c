// Prometheus text exposition format, for node_exporter's textfile collector
// (CONVENTIONS.md section 6).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "model.hpp"

namespace xlb::cli {

// `stats` is the `xlb -j stats` model of cfg.
std::string prometheus_text(const Config& cfg, const nlohmann::json& stats);

}  // namespace xlb::cli
