// Single configuration commands: one transaction each.
#include <algorithm>
#include <iostream>

#include "config/ruleset.hpp"
#include "handlers.hpp"
#include "state/attach.hpp"
#include "state/forwarding.hpp"
#include "state/next_hops.hpp"

namespace xlb::cli {

void warn_about_forwarding(const Config& committed, const Context& ctx) {
  if (std::none_of(committed.services.begin(), committed.services.end(),
                   [](const Service& s) { return is_tunnel(s.forward); }))
    return;  // the common case costs nothing
  auto att = list_attachments(ctx.opts.pin_path);
  if (!att) return;
  for (const auto& w : forwarding_problems(committed, *att))
    std::cerr << "xlb: warning: " << w << "\n";
}

void print_state_warnings(const State& st) {
  for (const auto& w : st.warnings()) std::cerr << "xlb: warning: " << w << "\n";
}

void warn_about_forwarding(const Context& ctx) {
  auto st = open_state(ctx);
  if (!st) return;
  if (auto live = st->read()) warn_about_forwarding(*live, ctx);
}

Status handle_edit(const Command& c, Context& ctx) {
  auto st = open_state(ctx);
  if (!st) return st.error();
  Config committed;
  Status s = st->update([&](Config& next) -> Status {
    Config live = next;
    XLB_TRY(apply_edit(next, c));
    XLB_TRY(fill_macs(live, next));
    committed = next;
    return {};
  });
  print_state_warnings(*st);
  if (s) warn_about_forwarding(committed, ctx);
  return s;
}

}  // namespace xlb::cli
