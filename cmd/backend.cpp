// backend list (the edits go through edit.cpp).
#include "handlers.hpp"
#include "state/view.hpp"

namespace xlb::cli {

namespace {

std::string backends_text(const json& model) {
  std::string out = pad("Service", 16) + " " + pad("Backend", 28) + " Weight State    Health MAC\n";
  for (const auto& b : model["backends"])
    out += pad(b["service"].get<std::string>(), 16) + " " +
           pad(b["address"].get<std::string>(), 28) + " " +
           pad(std::to_string(b["weight"].get<uint32_t>()), 6) + " " +
           pad(b["state"].get<std::string>(), 8) + " " + pad(b["health"].get<std::string>(), 6) +
           " " + b["mac"].get<std::string>() + "\n";
  return out;
}

}  // namespace

Status handle(const cmd::BackendList& c, Context& ctx) {
  auto st = open_state(ctx);
  if (!st) return st.error();
  auto live = read_live_view(*st);
  if (!live) return live.error();
  auto services = select_services(live->config, c.ref);
  if (!services) return services.error();
  json list = json::array();
  for (const Service* s : *services)
    for (const auto& b : s->backends) list.push_back(backend_view(*s, b, &live->stats));
  ctx.out.print(json{{"backends", list}}, backends_text);
  return {};
}

}  // namespace xlb::cli
