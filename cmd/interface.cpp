// interface attach|detach|list
#include <iostream>

#include "handlers.hpp"
#include "state/attach.hpp"
#include "state/hc_port.hpp"
#include "state/layout.hpp"
#include "state/upgrade.hpp"
#include "state/view.hpp"

namespace xlb::cli {

Status handle(const cmd::InterfaceAttach& c, Context& ctx) {
  auto layout = upgrade_layout(ctx.opts.pin_path);
  if (!layout) return layout.error();
  if (layout->from && !ctx.out.json_mode()) std::cerr << "xlb: " << describe(*layout) << "\n";
  auto upgraded = attach_interface({ctx.opts.pin_path, c.dev, c.mode, c.caps, c.chain});
  if (!upgraded) return upgraded.error();
  if (!ctx.out.json_mode())
    std::cerr << "xlb: " << (*upgraded ? "replaced the program on " : "attached to ") << c.dev
              << "\n";
  if (!hc_port_ipv6())
    std::cerr << "xlb: note: IPv6 is disabled on this host: the health-check port serves IPv4 "
                 "only (IPv6 backends cannot be health-checked)\n";
  warn_about_forwarding(ctx);
  return {};
}

Status handle(const cmd::InterfaceDetach& c, Context& ctx) {
  return detach_interface(ctx.opts.pin_path, c.dev);
}

namespace {

std::string interfaces_text(const InterfaceListView& v) {
  std::string out =
      pad("Interface", 16) + " " + pad("Ifindex", 8) + pad("Mode", 9) + pad("Prog", 8) + "Link\n";
  for (const auto& a : v.interfaces)
    out += pad(a.dev + (a.other_netns ? " (other netns)" : ""), 16) + " " +
           pad(std::to_string(a.ifindex), 8) + pad(a.mode, 9) + pad(std::to_string(a.prog_id), 8) +
           std::to_string(a.link_id) + "\n";
  const Capacities& c = v.capacities;
  out += "Capacities: services " + std::to_string(c.services) + ", backends " +
         std::to_string(c.backends) + ", flows " + std::to_string(c.flows) + "; memory " +
         std::to_string(v.memory_bytes / 1024) + " KiB\n";
  out += "Map layout: " + std::to_string(v.layout) + "\n";
  return out;
}

}  // namespace

Status handle(const cmd::InterfaceList&, Context& ctx) {
  auto st = open_state(ctx);
  if (!st) return st.error();
  auto v = interface_list_view(*st, ctx.opts.pin_path);
  if (!v) return v.error();
  ctx.out.show(*v, interfaces_text);
  return {};
}

}  // namespace xlb::cli
