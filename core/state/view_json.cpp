// The -j encoding of the view model: the stable schema of xlb(8), JSON
// OUTPUT (tests/cli/json_schema_test.cpp holds it to that).
#include <nlohmann/json.hpp>

#include "state/view.hpp"

namespace xlb {

using nlohmann::json;

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
