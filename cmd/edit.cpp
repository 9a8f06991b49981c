// Single configuration commands: one transaction each.
#include "handlers.hpp"
#include "ruleset.hpp"

namespace xlb::cli {

Status handle_edit(const Command& c, Context& ctx) {
  auto st = open_state(ctx);
  if (!st) return st.error();
  return st->update([&](Config& next) -> Status {
    Config live = next;
    XLB_TRY(apply_edit(next, c));
    return fill_macs(live, next);
  });
}

}  // namespace xlb::cli
