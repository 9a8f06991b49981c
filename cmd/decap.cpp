// decap attach|detach|refresh|list: xlb-decap on a backend.
#include <iostream>

#include "decap/decap.hpp"
#include "handlers.hpp"

namespace xlb::cli {

Status handle(const cmd::DecapAttach& c, Context& ctx) {
  auto r = decap_attach({ctx.opts.pin_path, c.dev, c.mode, c.gue_port, c.fou_port, c.addresses});
  if (!r) return r.error();
  if (!ctx.out.json_mode())
    std::cerr << "xlb: " << (r->replaced ? "replaced xlb-decap on " : "attached xlb-decap to ")
              << c.dev << " (" << r->addresses << " local addresses)\n";
  return {};
}

Status handle(const cmd::DecapDetach& c, Context& ctx) {
  return decap_detach(ctx.opts.pin_path, c.dev);
}

Status handle(const cmd::DecapRefresh&, Context& ctx) {
  auto n = decap_refresh(ctx.opts.pin_path);
  if (!n) return n.error();
  if (!ctx.out.json_mode()) std::cerr << "xlb: xlb-decap has " << *n << " local addresses\n";
  return {};
}

namespace {

json devices_json(const DecapStatus& st) {
  json out = json::array();
  for (const auto& d : st.devices)
    out.push_back({{"name", d.dev},
                   {"ifindex", d.ifindex},
                   {"mode", d.mode},
                   {"prog_id", d.prog_id},
                   {"link_id", d.link_id},
                   {"gue_port", d.ports.gue},
                   {"fou_port", d.ports.fou}});
  return out;
}

json addresses_json(const DecapStatus& st) {
  json out = json::array();
  for (const auto& a : st.addresses)
    out.push_back(
        {{"address", a.addr.str()}, {"netlink", a.from_netlink}, {"explicit", a.is_explicit}});
  return out;
}

std::string decap_text(const json& m) {
  std::string out = pad("Interface", 16) + " " + pad("Ifindex", 8) + pad("Mode", 9) +
                    pad("Prog", 8) + pad("Link", 8) + pad("GUE", 6) + "FOU\n";
  for (const auto& d : m["devices"])
    out += pad(d["name"].get<std::string>(), 16) + " " +
           pad(std::to_string(d["ifindex"].get<int>()), 8) + pad(d["mode"].get<std::string>(), 9) +
           pad(std::to_string(d["prog_id"].get<uint32_t>()), 8) +
           pad(std::to_string(d["link_id"].get<uint32_t>()), 8) +
           pad(std::to_string(d["gue_port"].get<int>()), 6) +
           std::to_string(d["fou_port"].get<int>()) + "\n";
  out += "Local addresses:\n";
  for (const auto& a : m["addresses"])
    out += "  " + a["address"].get<std::string>() +
           (a["explicit"].get<bool>() ? " (explicit)" : "") + "\n";
  out += "Counters:\n";
  for (int i = 0; i < XLB_DC_COUNT; i++) {
    const char* name = decap_counter_name(i);
    out +=
        "  " + pad(name, 20) + rpad(std::to_string(m["counters"][name].get<uint64_t>()), 12) + "\n";
  }
  return out;
}

}  // namespace

Status handle(const cmd::DecapList&, Context& ctx) {
  auto st = decap_status(ctx.opts.pin_path);
  if (!st) return st.error();
  json counters = json::object();
  for (int i = 0; i < XLB_DC_COUNT; i++) counters[decap_counter_name(i)] = st->counters[i];
  ctx.out.print(json{{"devices", devices_json(*st)},
                     {"addresses", addresses_json(*st)},
                     {"counters", counters}},
                decap_text);
  return {};
}

}  // namespace xlb::cli
