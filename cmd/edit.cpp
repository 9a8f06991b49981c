// Single configuration commands: one transaction each.
#include <iostream>

#include "attach.hpp"
#include "forwarding.hpp"
#include "handlers.hpp"
#include "ruleset.hpp"

namespace xlb::cli {

void warn_about_forwarding(const Context& ctx) {
  auto st = open_state(ctx);
  if (!st) return;
  auto live = st->read();
  auto att = list_attachments(ctx.opts.pin_path);
  if (!live || !att) return;
  for (const auto& w : forwarding_problems(*live, *att)) std::cerr << "xlb: warning: " << w << "\n";
}

Status handle_edit(const Command& c, Context& ctx) {
  auto st = open_state(ctx);
  if (!st) return st.error();
  Status s = st->update([&](Config& next) -> Status {
    Config live = next;
    XLB_TRY(apply_edit(next, c));
    return fill_macs(live, next);
  });
  if (s) warn_about_forwarding(ctx);
  return s;
}

}  // namespace xlb::cli
