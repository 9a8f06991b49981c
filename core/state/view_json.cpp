// The -j encoding of the view model: the stable schema of xlb(8), JSON
// OUTPUT (tests/cli/json_schema_test.cpp holds it to that).
#include <nlohmann/json.hpp>

#include "state/view.hpp"

namespace xlb {

using nlohmann::json;

namespace {

void put_counters(json& j, const Counters& c, const std::optional<Rates>& r) {
  j["packets"] = c.packets;
  j["bytes"] = c.bytes;
  j["flows"] = c.new_flows;
  if (!r) return;
  j["cps"] = r->cps;
  j["pps"] = r->pps;
  j["bps"] = r->bps;
}

json global_json(const GlobalCounters& g) {
  json j = json::object();
  for (int i = 0; i < XLB_G_MAX; i++) j[global_counter_name(i)] = g[i];
  return j;
}

json sync_json(const SyncCounterValues& s) {
  json j = json::object();
  for (int i = 0; i < XLB_SYNC_C_MAX; i++) j[sync_counter_name(i)] = s[i];
  return j;
}

}  // namespace

void to_json(json& j, const BackendView& v) {
  j = json{{"service", v.service},
           {"address", v.address.str()},
           {"weight", v.weight},
           {"effective_weight", v.effective_weight},
           {"state", to_string(v.state)},
           {"health", to_string(v.health)},
           {"mac", v.mac.str()},
           {"next_hop", to_string(v.next_hop)},
           {"priority", v.priority},
           {"new_flows", v.new_flows},
           {"id", v.id}};
  put_counters(j, v.counters, v.rates);
}

namespace {

// The service's ports: numbers, and [LO, HI] for ranges ([80, 443, [8000,
// 8099]]); [80] for one port, [] for every port (port 0).
json ports_json(const ServiceView& v) {
  json out = json::array();
  if (v.ports.empty() && v.port) out.push_back(v.port);
  for (const PortRange& r : v.ports) {
    if (r.lo == r.hi)
      out.push_back(r.lo);
    else
      out.push_back(json::array({r.lo, r.hi}));
  }
  return out;
}

}  // namespace

void to_json(json& j, const ServiceView& v) {
  j = json{{"name", v.name},
           {"proto", to_string(v.proto)},
           {"vip", v.vip.str()},
           {"port", v.port},
           {"sched", to_string(v.sched)},
           {"ring", v.ring},
           {"forward", to_string(v.forward)},
           {"forward_port", v.forward_port},
           {"need", v.need},
           {"panic", v.panic},
           {"in_panic", v.in_panic},
           {"panics", v.panics},
           {"weights", to_string(v.weights)},
           {"persist_s", v.persist},
           {"checks", v.checks},
           {"id", v.id},
           {"backends", v.backends}};
  j["ports"] = ports_json(v);
  j["vip_len"] = v.vip_len;  // 0: the VIP alone; else every address of vip/vip_len
  put_counters(j, v.counters, v.rates);
}

void to_json(json& j, const ServiceListView& v) { j = json{{"services", v.services}}; }

void to_json(json& j, const BackendListView& v) { j = json{{"backends", v.backends}}; }

void to_json(json& j, const StatsView& v) {
  j = json{
      {"services", v.services}, {"global", global_json(v.global)}, {"sync", sync_json(v.sync)}};
}

void to_json(json& j, const CheckView& v) {
  const Check& c = v.check;
  j = json{{"service", v.service},
           {"index", v.index},
           {"type", to_string(c.type)},
           {"port", v.port},
           {"interval_ms", c.interval_ms},
           {"timeout_ms", c.timeout_ms},
           {"rise", c.rise},
           {"fall", c.fall},
           {"path", c.path},
           {"expect", std::to_string(c.expect_lo) + "-" + std::to_string(c.expect_hi)},
           {"host", c.host}};
}

void to_json(json& j, const CheckListView& v) { j = json{{"checks", v.checks}}; }

void to_json(json& j, const FlowView& v) {
  const Flow& f = v.flow;
  j = json{{"proto", to_string(f.proto)},  {"client", f.client.str()},
           {"client_port", f.client_port}, {"vip", f.vip.str()},
           {"vip_port", f.vip_port},       {"service", v.service},
           {"backend", v.backend},         {"state", to_string(f.state)},
           {"age", f.age_seconds},         {"timeout", f.timeout}};
}

void to_json(json& j, const FlowListView& v) { j = json{{"flows", v.flows}}; }

void to_json(json& j, const NatRowView& v) {
  const NatRow& r = v.row;
  j = json{{"nat", r.nat.str()},
           {"service", r.service},
           {"proto", to_string(r.proto)},
           {"vip", r.vip.str()},
           {"port", r.port},
           {"backend", r.backend.str()},
           {"backend_id", r.backend_id},
           {"egress", v.egress},
           {"source", r.ifindex ? json(r.source.str()) : json(nullptr)}};
}

void to_json(json& j, const NatListView& v) {
  j = json{{"ranges", {{"nat4", v.nat4.str()}, {"nat6", v.nat6.str()}}},
           {"port", v.port},
           {"nat", v.rows}};
}

void to_json(json& j, const InterfaceListView& v) {
  json ifs = json::array();
  for (const auto& a : v.interfaces)
    ifs.push_back({{"name", a.dev},
                   {"ifindex", a.ifindex},
                   {"mode", a.mode},
                   {"prog_id", a.prog_id},
                   {"link_id", a.link_id},
                   {"other_netns", a.other_netns},
                   {"netns", a.netns}});
  j = json{{"interfaces", ifs},
           {"capacities",
            {{"services", v.capacities.services},
             {"backends", v.capacities.backends},
             {"flows", v.capacities.flows},
             {"memory_bytes", v.memory_bytes}}},
           {"layout", v.layout}};
}

}  // namespace xlb
