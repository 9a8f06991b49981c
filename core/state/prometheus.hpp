// Prometheus text exposition format, for node_exporter's textfile collector
// (the metrics are listed in man/xlb.8 and man/xlb-healthd.8).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "model/model.hpp"
#include "state/flows.hpp"
#include "state/view.hpp"

namespace xlb {

// What only xlb-healthd knows: failed probes per (service, backend).
struct HealthMetrics {
  std::map<std::pair<std::string, IpAddr>, uint64_t> check_failures;
};

// Flows per backend id as IPVS counts connections: active (TCP past the
// handshake) and inactive (TCP SYN-only, UDP).
struct Connections {
  uint64_t active = 0, inactive = 0;
};
using BackendConnections = std::map<uint32_t, Connections>;
BackendConnections backend_connections(const std::vector<Flow>& flows);

// How one global counter (XLB_G_*) is exported: metric, and the label that
// tells it from the other counters of that metric (label empty: none).
struct GlobalMetric {
  const char* name = nullptr;
  const char* label = "";
  const char* value = "";
};
const GlobalMetric& global_metric(int counter);

// `stats` is the `xlb stats` view of cfg. VIP announcement follows the
// policy of health_vips.hpp. With `ipvs`, node_exporter's ipvs collector
// families (node_ipvs_*, its label names) follow the xlb_* ones, so IPVS
// dashboards work unchanged.
std::string prometheus_text(const Config& cfg, const StatsView& stats,
                            const HealthMetrics* health = nullptr,
                            const BackendConnections* ipvs = nullptr);

}  // namespace xlb
