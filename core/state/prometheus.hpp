// Prometheus text exposition format, for node_exporter's textfile collector
// (the metrics are listed in man/xlb.8 and man/xlb-healthd.8).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "model/model.hpp"

namespace xlb {

// What only xlb-healthd knows: failed probes per (service, backend).
struct HealthMetrics {
  std::map<std::pair<std::string, IpAddr>, uint64_t> check_failures;
};

// `stats` is the `xlb -j stats` model of cfg (view.hpp). VIP announcement
// follows the policy of health_vips.hpp.
std::string prometheus_text(const Config& cfg, const nlohmann::json& stats,
                            const HealthMetrics* health = nullptr);

}  // namespace xlb
