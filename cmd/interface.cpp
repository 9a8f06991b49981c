// interface attach|detach|list
#include <iostream>

#include "handlers.hpp"
#include "state/attach.hpp"
#include "state/hc_port.hpp"
#include "state/layout.hpp"
#include "state/upgrade.hpp"

namespace xlb::cli {

Status handle(const cmd::InterfaceAttach& c, Context& ctx) {
  auto layout = upgrade_layout(ctx.opts.pin_path);
  if (!layout) return layout.error();
  if (layout->from && !ctx.out.json_mode()) std::cerr << "xlb: " << describe(*layout) << "\n";
  auto upgraded = attach_interface({ctx.opts.pin_path, c.dev, c.mode, c.caps});
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

std::string interfaces_text(const json& m) {
  std::string out =
      pad("Interface", 16) + " " + pad("Ifindex", 8) + pad("Mode", 9) + pad("Prog", 8) + "Link\n";
  for (const auto& a : m["interfaces"])
    out +=
        pad(a["name"].get<std::string>() + (a["other_netns"].get<bool>() ? " (other netns)" : ""),
            16) +
        " " + pad(std::to_string(a["ifindex"].get<int>()), 8) +
        pad(a["mode"].get<std::string>(), 9) +
        pad(std::to_string(a["prog_id"].get<uint32_t>()), 8) +
        std::to_string(a["link_id"].get<uint32_t>()) + "\n";
  const auto& c = m["capacities"];
  out += "Capacities: services " + std::to_string(c["services"].get<uint32_t>()) + ", backends " +
         std::to_string(c["backends"].get<uint32_t>()) + ", flows " +
         std::to_string(c["flows"].get<uint32_t>()) + "; memory " +
         std::to_string(c["memory_bytes"].get<uint64_t>() / 1024) + " KiB\n";
  out += "Map layout: " + std::to_string(m["layout"].get<uint32_t>()) + "\n";
  return out;
}

}  // namespace

Status handle(const cmd::InterfaceList&, Context& ctx) {
  auto st = open_state(ctx);
  if (!st) return st.error();
  auto list = list_attachments(ctx.opts.pin_path);
  if (!list) return list.error();
  json ifs = json::array();
  for (const auto& a : *list)
    ifs.push_back({{"name", a.dev},
                   {"ifindex", a.ifindex},
                   {"mode", a.mode},
                   {"prog_id", a.prog_id},
                   {"link_id", a.link_id},
                   {"other_netns", a.other_netns},
                   {"netns", a.netns}});
  const Capacities& caps = st->maps().caps();
  json c{{"services", caps.services},
         {"backends", caps.backends},
         {"flows", caps.flows},
         {"memory_bytes", st->maps().memory_bytes()}};
  auto layout = pinned_layout(ctx.opts.pin_path);
  if (!layout) return layout.error();
  ctx.out.print(json{{"interfaces", ifs}, {"capacities", c}, {"layout", *layout}}, interfaces_text);
  return {};
}

}  // namespace xlb::cli
