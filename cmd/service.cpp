// service list|show (the edits go through edit.cpp).
#include "handlers.hpp"
#include "state/view.hpp"

namespace xlb::cli {

namespace {

std::string endpoint_of(const json& s) {
  auto a = IpAddr::parse(s["vip"].get<std::string>());
  return Endpoint{*a, s["port"].get<uint16_t>()}.display();
}

std::string proto_upper(const std::string& p) { return p == "tcp" ? "TCP" : "UDP"; }

// An unresolved next hop keeps a backend out of the table as health down
// does: the Health column says which.
std::string health_column(const json& b) {
  return b["next_hop"] == "unresolved" ? "unresolved" : b["health"].get<std::string>();
}

std::string backend_row(const json& b) {
  return "  -> " + pad(b["address"].get<std::string>(), 28) + " " +
         pad(std::to_string(b["weight"].get<uint32_t>()), 6) + " " +
         pad(b["state"].get<std::string>(), 8) + " " + pad(health_column(b), 6) +
         human_count(b["flows"]) + human_count(b["packets"]) + human_count(b["bytes"]) + "\n";
}

}  // namespace

// "  (panic 50%: IN PANIC, entered 2 times)", nothing when panic is off.
std::string panic_text(const json& s) {
  const auto p = s.value("panic", 0u);
  if (p == 0) return "";
  return "  (panic " + std::to_string(p) + "%" + (s.value("in_panic", false) ? ": IN PANIC" : "") +
         ", entered " + std::to_string(s.value("panics", 0u)) + " times)";
}

std::string services_text(const json& model) {
  std::string out =
      "Prot LocalAddress:Port            Sched Forward Name\n"
      "  -> RemoteAddress                Weight State    Health     Flows   InPkts  InBytes\n";
  for (const auto& s : model["services"]) {
    out += pad(proto_upper(s["proto"]), 4) + " " + pad(endpoint_of(s), 28) + " " +
           pad(s["sched"].get<std::string>(), 5) + " " + pad(s["forward"].get<std::string>(), 7) +
           " " + s["name"].get<std::string>() + panic_text(s) + "\n";
    for (const auto& b : s["backends"]) out += backend_row(b);
  }
  return out;
}

Status handle(const cmd::ServiceList& c, Context& ctx) {
  auto st = open_state(ctx);
  if (!st) return st.error();
  auto live = read_live_view(*st);
  if (!live) return live.error();
  auto services = select_services(live->config, c.ref);
  if (!services) return services.error();
  json list = json::array();
  for (const Service* s : *services) list.push_back(service_view(*s, &live->stats));
  ctx.out.print(json{{"services", list}}, services_text);
  return {};
}

}  // namespace xlb::cli
