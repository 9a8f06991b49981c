// service list|show (the edits go through edit.cpp).
#include "handlers.hpp"
#include "model/timeouts.hpp"
#include "state/view.hpp"

namespace xlb::cli {

namespace {

std::string proto_upper(Proto p) { return p == Proto::tcp ? "TCP" : "UDP"; }

// An unresolved next hop keeps a backend out of the table as health down
// does: the Health column says which.
std::string health_column(const BackendView& b) {
  return b.next_hop == NextHop::unresolved ? "unresolved" : to_string(b.health);
}

// Appended in place: 10,000 rows without a string per column.
void backend_row(std::string& out, const BackendView& b) {
  out += "  -> ";
  pad_onto(out, b.address.str(), 28);
  out += ' ';
  pad_onto(out, weight_text(b.weight, b.dynamic_weight, b.effective_weight), 6);
  out += ' ';
  pad_onto(out, b.standby() ? "standby" : to_string(b.state), 8);
  out += ' ';
  pad_onto(out, health_column(b), 6);
  out += human_count(b.counters.new_flows);
  out += human_count(b.counters.packets);
  out += human_count(b.counters.bytes);
  out += '\n';
}

// "  (panic 50%: IN PANIC, entered 2 times)", nothing when panic is off.
std::string panic_text(const ServiceView& s) {
  if (s.panic == 0) return "";
  return "  (panic " + std::to_string(s.panic) + "%" + (s.in_panic ? ": IN PANIC" : "") +
         ", entered " + std::to_string(s.panics) + " times)";
}

std::string services_text(const ServiceListView& v) {
  std::string out =
      "Prot LocalAddress:Port            Sched Forward Name\n"
      "  -> RemoteAddress                Weight State    Health     Flows   InPkts  InBytes\n";
  size_t rows = v.services.size();
  for (const auto& s : v.services) rows += s.backends.size();
  out.reserve(out.size() + rows * 96);  // a row is 83 bytes: no regrowth
  for (const auto& s : v.services) {
    out += pad(proto_upper(s.proto), 4) + " " + pad(s.display(), 28) + " " +
           pad(to_string(s.sched), 5) + " " + pad(to_string(s.forward), 7) + " " + s.name +
           panic_text(s) +
           (s.weights == WeightMode::fixed ? "" : "  (weights " + to_string(s.weights) + ")") +
           (s.persist ? "  (persist " + format_timeout(s.persist) + ")" : "") + "\n";
    for (const auto& b : s.backends) backend_row(out, b);
  }
  return out;
}

}  // namespace

Status handle(const cmd::ServiceList& c, Context& ctx) {
  auto st = open_state(ctx);
  if (!st) return st.error();
  auto live = read_live_view(*st);
  if (!live) return live.error();
  auto services = select_services(live->config, c.ref);
  if (!services) return services.error();
  ctx.out.show(service_list_view(*live, *services), services_text);
  return {};
}

}  // namespace xlb::cli
