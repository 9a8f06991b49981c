#include "state/view.hpp"

namespace xlb {

using nlohmann::json;

namespace {

void add_counters(json& j, const Counters* c) {
  j["packets"] = c ? c->packets : 0;
  j["bytes"] = c ? c->bytes : 0;
  j["flows"] = c ? c->new_flows : 0;
}

const Counters* find(const std::map<uint32_t, Counters>& m, uint32_t id) {
  auto it = m.find(id);
  return it == m.end() ? nullptr : &it->second;
}

// How the backend's next hop is known: "static" (an explicit mac),
// "resolved" or "unresolved" (from the neighbour table), "routed" (tunnels:
// the kernel's route, not a MAC of the backend's own).
const char* next_hop_state(const Service& s, const Backend& b) {
  if (is_tunnel(s.forward)) return "routed";
  if (b.mac_explicit) return "static";
  return b.unresolved ? "unresolved" : "resolved";
}

}  // namespace

json backend_view(const Service& s, const Backend& b, const StatsSnapshot* st) {
  json j{{"service", s.name},
         {"address", b.addr.str()},
         {"weight", b.weight},
         {"state", to_string(b.admin)},
         {"health", to_string(b.health)},
         {"mac", b.mac.str()},
         {"next_hop", next_hop_state(s, b)},
         {"priority", b.priority},
         {"new_flows", s.takes_new_flows(b)},
         {"id", b.id}};
  add_counters(j, st ? find(st->backends, b.id) : nullptr);
  return j;
}

json service_view(const Service& s, const StatsSnapshot* st) {
  json bes = json::array();
  for (const auto& b : s.backends) bes.push_back(backend_view(s, b, st));
  json j{{"name", s.name},
         {"proto", to_string(s.proto)},
         {"vip", s.vip.str()},
         {"port", s.port},
         {"sched", to_string(s.sched)},
         {"ring", s.ring},
         {"forward", to_string(s.forward)},
         {"forward_port", s.tunnel_port()},
         {"need", s.need},
         {"panic", s.panic},
         {"in_panic", s.in_panic()},
         {"panics", s.panics},
         {"checks", s.checks.size()},
         {"id", s.id}};
  add_counters(j, st ? find(st->services, s.id) : nullptr);
  j["backends"] = bes;
  return j;
}

json global_view(const StatsSnapshot& st) {
  json g = json::object();
  for (int i = 0; i < XLB_G_MAX; i++) g[global_counter_name(i)] = st.global[i];
  return g;
}

Result<std::vector<const Service*>> select_services(const Config& cfg,
                                                    const std::optional<ServiceRef>& ref) {
  std::vector<const Service*> out;
  if (ref) {
    auto s = find_service(cfg, *ref);
    if (!s) return s.error();
    out.push_back(*s);
    return out;
  }
  for (const auto& s : cfg.services) out.push_back(&s);
  return out;
}

Result<LiveView> read_live_view(const State& st) {
  auto cfg = st.read();
  if (!cfg) return cfg.error();
  auto stats = read_stats(st.maps(), *cfg);
  if (!stats) return stats.error();
  return LiveView{std::move(*cfg), std::move(*stats)};
}

}  // namespace xlb
