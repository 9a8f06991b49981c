// nat list: the health-check NAT addresses, as the live bank has them.
#include "model/nat.hpp"
#include "handlers.hpp"
#include "net/netlink.hpp"
#include "state/nat_table.hpp"
#include "state/store.hpp"

namespace xlb::cli {

namespace {

// The egress interface by name, or by index under -n (and when it has no
// name here); "-" when the backend has no route (its probes are dropped).
std::string egress_name(int ifindex, bool numeric) {
  if (!ifindex) return "-";
  if (!numeric) {
    auto l = link_by_index(ifindex);
    if (l) return l->name;
  }
  return std::to_string(ifindex);
}

json row_json(const NatRow& r, bool numeric) {
  return json{{"nat", r.nat.str()},
              {"service", r.service},
              {"proto", to_string(r.proto)},
              {"vip", r.vip.str()},
              {"port", r.port},
              {"backend", r.backend.str()},
              {"backend_id", r.backend_id},
              {"egress", egress_name(r.ifindex, numeric)},
              {"source", r.ifindex ? json(r.source.str()) : json(nullptr)}};
}

std::string nat_text(const json& m) {
  std::string out = "NAT ranges: " + m["ranges"]["nat4"].get<std::string>() + ", " +
                    m["ranges"]["nat6"].get<std::string>() + " via " +
                    m["port"].get<std::string>() + "\n";
  out += pad("NAT address", 24) + " " + pad("Service", 16) + " Prot " + pad("VIP:Port", 28) + " " +
         pad("Backend", 24) + " " + pad("Egress", 10) + " Source\n";
  for (const auto& r : m["nat"]) {
    IpAddr vip = *IpAddr::parse(r["vip"].get<std::string>());
    std::string src = r["source"].is_null() ? "-" : r["source"].get<std::string>();
    out += pad(r["nat"].get<std::string>(), 24) + " " + pad(r["service"].get<std::string>(), 16) +
           " " + pad(r["proto"].get<std::string>(), 4) + " " +
           pad(Endpoint{vip, r["port"].get<uint16_t>()}.str(), 28) + " " +
           pad(r["backend"].get<std::string>(), 24) + " " +
           pad(r["egress"].get<std::string>(), 10) + " " + src + "\n";
  }
  return out;
}

}  // namespace

Status handle(const cmd::NatList&, Context& ctx) {
  auto st = open_state(ctx);
  if (!st) return st.error();
  auto ctl = ctl_read(st->maps());
  if (!ctl) return ctl.error();
  auto cfg = st->read();
  if (!cfg) return cfg.error();
  auto rows = read_nat_table(st->maps(), *cfg, ctl->active_bank);
  if (!rows) return rows.error();
  json list = json::array();
  for (const auto& r : *rows) list.push_back(row_json(r, ctx.opts.numeric));
  json ranges{{"nat4", nat_range(cfg->settings, XLB_AF_INET).str()},
              {"nat6", nat_range(cfg->settings, XLB_AF_INET6).str()}};
  ctx.out.print(json{{"ranges", ranges}, {"port", XLB_HC_HOST_DEV}, {"nat", list}}, nat_text);
  return {};
}

}  // namespace xlb::cli
