// backend list, backend refresh (the edits go through edit.cpp).
#include <iostream>

#include "handlers.hpp"
#include "model/ops.hpp"
#include "state/next_hops.hpp"
#include "state/view.hpp"

namespace xlb::cli {

namespace {

std::string backends_text(const BackendListView& v) {
  std::string out = pad("Service", 16) + " " + pad("Backend", 28) + " Weight State    Health MAC\n";
  for (const auto& b : v.backends)
    out += pad(b.service, 16) + " " + pad(b.address.str(), 28) + " " +
           pad(weight_text(b.weight, b.dynamic_weight, b.effective_weight), 6) + " " +
           pad(b.standby() ? "standby" : to_string(b.state), 8) + " " +
           pad(to_string(b.health), 6) + " " +
           (b.next_hop == NextHop::unresolved ? "unresolved" : b.mac.str()) + "\n";
  return out;
}

json ref_json(const BackendRef& r) {
  return json{{"service", r.service}, {"address", r.backend.str()}};
}

std::string mac_or_unresolved(const MacAddr& m) { return m.is_zero() ? "unresolved" : m.str(); }

json refresh_json(const RefreshResult& r) {
  json changes = json::array(), unresolved = json::array();
  for (const auto& c : r.changes) {
    json j = ref_json(c.ref);
    j["before"] = mac_or_unresolved(c.before);
    j["after"] = mac_or_unresolved(c.after);
    changes.push_back(j);
  }
  for (const auto& u : r.unresolved) unresolved.push_back(ref_json(u));
  return json{{"checked", r.checked}, {"changes", changes}, {"unresolved", unresolved}};
}

std::string refresh_text(const json& j) {
  std::string out;
  for (const auto& c : j["changes"])
    out += "backend " + c["address"].get<std::string>() + " of service " +
           c["service"].get<std::string>() + ": " + c["before"].get<std::string>() + " -> " +
           c["after"].get<std::string>() + "\n";
  return out;
}

Result<std::optional<std::string>> service_name(const State& st,
                                                const std::optional<ServiceRef>& ref) {
  if (!ref) return std::optional<std::string>{};
  auto cfg = st.read();
  if (!cfg) return cfg.error();
  auto s = find_service(*cfg, *ref);
  if (!s) return s.error();
  return std::optional<std::string>{(*s)->name};
}

}  // namespace

Status handle(const cmd::BackendList& c, Context& ctx) {
  auto st = open_state(ctx);
  if (!st) return st.error();
  auto live = read_live_view(*st);
  if (!live) return live.error();
  auto services = select_services(live->config, c.ref);
  if (!services) return services.error();
  ctx.out.show(backend_list_view(*live, *services), backends_text);
  return {};
}

// Waits a little for unresolved backends: a host that has just come up
// answers the ARP/ND this round sends within milliseconds.
Status handle(const cmd::BackendRefresh& c, Context& ctx) {
  auto st = open_state(ctx);
  if (!st) return st.error();
  auto name = service_name(*st, c.ref);
  if (!name) return name.error();
  auto r = refresh_next_hops(*st, {*name, std::chrono::milliseconds(1000), true, true});
  if (!r) return r.error();
  warn_unresolved(r->unresolved);
  ctx.out.print(refresh_json(*r), refresh_text);
  return {};
}

}  // namespace xlb::cli
