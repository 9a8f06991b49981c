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

std::string decap_text(const DecapStatus& st) {
  std::string out = pad("Interface", 16) + " " + pad("Ifindex", 8) + pad("Mode", 9) +
                    pad("Prog", 8) + pad("Link", 8) + pad("GUE", 6) + "FOU\n";
  for (const auto& d : st.devices)
    out += pad(d.dev, 16) + " " + pad(std::to_string(d.ifindex), 8) + pad(d.mode, 9) +
           pad(std::to_string(d.prog_id), 8) + pad(std::to_string(d.link_id), 8) +
           pad(std::to_string(d.ports.gue), 6) + std::to_string(d.ports.fou) + "\n";
  out += "Local addresses:\n";
  for (const auto& a : st.addresses)
    out += "  " + a.addr.str() + (a.is_explicit ? " (explicit)" : "") + "\n";
  out += "Counters:\n";
  for (int i = 0; i < XLB_DC_COUNT; i++)
    out += "  " + pad(decap_counter_name(i), 20) + rpad(std::to_string(st.counters[i]), 12) + "\n";
  return out;
}

}  // namespace

Status handle(const cmd::DecapList&, Context& ctx) {
  auto st = decap_status(ctx.opts.pin_path);
  if (!st) return st.error();
  ctx.out.show(*st, decap_text);
  return {};
}

}  // namespace xlb::cli
