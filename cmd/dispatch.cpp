#include "audit.hpp"
#include "config/change_summary.hpp"
#include "handlers.hpp"

namespace xlb::cli {

Result<State> open_state(const Context& ctx) { return State::open(ctx.opts.pin_path); }

namespace {

Status dispatch(const Command& c, Context& ctx) {
  return std::visit(
      [&](const auto& x) -> Status {
        if constexpr (ConfigEdit<std::decay_t<decltype(x)>>)
          return handle_edit(c, ctx);
        else
          return handle(x, ctx);
      },
      c);
}

}  // namespace

// A configuration edit (config/command.hpp: ConfigEdit) is one transaction;
// every other command has its own handler. What succeeded and changed the
// state goes to the audit trail.
Status run(const Command& c, Context& ctx) {
  Status s = dispatch(c, ctx);
  if (!s) return s;
  if (auto change = change_summary(c)) audit(*change, ctx.command_line);
  return s;
}

}  // namespace xlb::cli
