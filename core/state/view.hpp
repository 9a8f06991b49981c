// The typed view model: what the read commands show (`service list`,
// `backend list`, `check list`, `stats`, `flows`, `nat list`,
// `interface list`), built once from the live state. The text renderers
// (cmd/), the -j JSON (view_json.hpp, the documented stable schema) and the
// Prometheus writer (prometheus.hpp) all start from these structs.
#pragma once

#include <array>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "model/capacities.hpp"
#include "model/model.hpp"
#include "model/ops.hpp"
#include "state/attach.hpp"
#include "state/flows.hpp"
#include "state/json_text.hpp"
#include "state/nat_table.hpp"
#include "state/state.hpp"
#include "state/stats.hpp"

namespace xlb {

// How a backend's next hop is known: an explicit mac, resolved or not from
// the neighbour table, or routed (tunnels: the kernel's route, not a MAC of
// the backend's own).
enum class NextHop : uint8_t { static_mac, resolved, unresolved, routed };
std::string to_string(NextHop n);  // "static", "resolved", "unresolved", "routed"

// Per-second figures between two readings (stats --rate).
struct Rates {
  uint64_t cps = 0, pps = 0, bps = 0;
};

struct BackendView {
  std::string service;
  IpAddr address;
  uint32_t weight = 0;
  Admin state = Admin::enabled;
  Health health = Health::up;
  MacAddr mac;
  NextHop next_hop = NextHop::resolved;
  uint32_t priority = 0;   // the tier (backend add ... priority N)
  bool new_flows = false;  // in the Maglev table: usable and in the active tier
  uint32_t id = 0;
  Counters counters;
  std::optional<Rates> rates;
  // The weight its Maglev table uses: `weight`, or under dynamic weights
  // (service ... weights flows|response) the effective one.
  uint32_t effective_weight = 0;
  bool dynamic_weight = false;
  // Usable, but outside the active tier (backend ... priority N): the
  // listings' State column says "standby".
  bool standby() const {
    return state == Admin::enabled && health == Health::up && weight > 0 &&
           next_hop != NextHop::unresolved && !new_flows;
  }
};

struct ServiceView {
  std::string name;
  Proto proto = Proto::tcp;
  IpAddr vip;
  uint16_t port = 0;
  Sched sched = Sched::mh;
  uint32_t ring = 0;
  Forward forward = Forward::dsr;
  uint16_t forward_port = 0;
  uint32_t need = 0;
  uint32_t panic = 0;  // percent, 0: off
  bool in_panic = false;
  uint32_t panics = 0;  // times it entered panic
  uint64_t checks = 0;  // how many
  uint32_t id = 0;
  Counters counters;
  std::optional<Rates> rates;
  std::vector<BackendView> backends;
  WeightMode weights = WeightMode::fixed;
  uint32_t persist = 0;  // seconds, 0: off
  PortSet ports{};       // several ports (Service::ports); empty for one or every port
  uint8_t vip_len = 0;   // a prefix VIP: vip/vip_len (Service::vip_len)
  Endpoint endpoint() const { return {vip, port}; }
  // For tables: "192.0.2.10:80", "192.0.2.10:*", "192.0.2.10:80,443,8000-8099",
  // "192.0.2.0/28:80".
  std::string display() const {
    std::string host = Endpoint{vip, 0}.str();
    if (vip_len) {
      const std::string p = vip.str() + "/" + std::to_string(vip_len);
      host = vip.is_v6() ? "[" + p + "]" : p;
    }
    if (!ports.empty()) return host + ":" + ports_str(ports);
    return host + ":" + (port ? std::to_string(port) : "*");
  }
};

struct ServiceListView {
  std::vector<ServiceView> services;
};
struct BackendListView {
  std::vector<BackendView> backends;
};

// The global counters, indexed by the XLB_G_* enum of xlb_abi.h (names:
// global_counter_name). Under --rate they are per-second figures.
using GlobalCounters = std::array<uint64_t, XLB_G_MAX>;

// xlb-syncd's counters (XLB_SYNC_C_*; names: sync_counter_name). Totals,
// also under --rate.
using SyncCounterValues = std::array<uint64_t, XLB_SYNC_C_MAX>;

struct StatsView {
  std::vector<ServiceView> services;
  GlobalCounters global{};
  SyncCounterValues sync{};
};

struct CheckView {
  std::string service;
  uint64_t index = 0;  // 1-based, as `check del` takes it
  uint16_t port = 0;   // the effective port (the service's when 0)
  Check check;
};
struct CheckListView {
  std::vector<CheckView> checks;
};

struct FlowView {
  Flow flow;
  std::string service;  // "" when the service is gone
  std::string backend;  // its address, "(gone)" when the backend is
};
struct FlowListView {
  std::vector<FlowView> flows;
};

struct NatRowView {
  NatRow row;
  std::string egress;  // name, or ifindex under -n; "-" without a route
};
struct NatListView {
  IpPrefix nat4, nat6;
  std::string port;  // the health-check port device
  std::vector<NatRowView> rows;
};

struct InterfaceListView {
  std::vector<Attachment> interfaces;
  Capacities capacities;
  uint64_t memory_bytes = 0;
  uint32_t layout = 0;  // the pins' map layout (XLB_ABI_VERSION)
};

// rule: s.new_flow_rule(), worked out once per service.
BackendView backend_view(const Service& s, const Service::NewFlowRule& rule, const Backend& b,
                         const StatsSnapshot* st);
ServiceView service_view(const Service& s, const StatsSnapshot* st);

// The services a read command shows: all, or the one named.
Result<std::vector<const Service*>> select_services(const Config& cfg,
                                                    const std::optional<ServiceRef>& ref);

// What the read commands start from: the live configuration and counters.
struct LiveView {
  Config config;
  StatsSnapshot stats;
};
Result<LiveView> read_live_view(const State& st);

ServiceListView service_list_view(const LiveView& live, const std::vector<const Service*>& sel);
BackendListView backend_list_view(const LiveView& live, const std::vector<const Service*>& sel);
StatsView stats_view(const StatsSnapshot& st, const std::vector<const Service*>& sel);
CheckListView check_list_view(const std::vector<const Service*>& sel);
FlowListView flow_list_view(const Config& cfg, const std::vector<Flow>& flows);
// `numeric`: egress interfaces by index (-n).
Result<NatListView> nat_list_view(const State& st, bool numeric);
Result<InterfaceListView> interface_list_view(const State& st, const std::string& pin_path);

// The -j encoding (xlb(8), JSON OUTPUT). Keys come out in alphabetical
// order. The big views are written as text in one pass (view_json_text.cpp):
void write_json(JsonText& w, const BackendView& v);
void write_json(JsonText& w, const ServiceView& v);
void write_json(JsonText& w, const ServiceListView& v);
void write_json(JsonText& w, const BackendListView& v);
void write_json(JsonText& w, const StatsView& v);
// the others through nlohmann, found by ADL: `nlohmann::json(view)`.
void to_json(nlohmann::json& j, const CheckView& v);
void to_json(nlohmann::json& j, const CheckListView& v);
void to_json(nlohmann::json& j, const FlowView& v);
void to_json(nlohmann::json& j, const FlowListView& v);
void to_json(nlohmann::json& j, const NatRowView& v);
void to_json(nlohmann::json& j, const NatListView& v);
void to_json(nlohmann::json& j, const InterfaceListView& v);

// `now` with per-second figures against `before`, read `ms` apart: services
// and backends gain rates, the global counters become rates.
StatsView with_rates(StatsView now, const StatsView& before, uint32_t ms);

}  // namespace xlb
