#include "handlers.hpp"

namespace xlb::cli {

Result<State> open_state(const Context& ctx) { return State::open(ctx.opts.pin_path); }

// A configuration edit (config/command.hpp: ConfigEdit) is one transaction;
// every other command has its own handler.
Status run(const Command& c, Context& ctx) {
  return std::visit(
      [&](const auto& x) -> Status {
        if constexpr (ConfigEdit<std::decay_t<decltype(x)>>)
          return handle_edit(c, ctx);
        else
          return handle(x, ctx);
      },
      c);
}

}  // namespace xlb::cli
