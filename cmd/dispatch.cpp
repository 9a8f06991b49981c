#include "handlers.hpp"

namespace xlb::cli {

Result<State> open_state(const Context& ctx) { return State::open(ctx.opts.pin_path); }

Status run(const Command& c, Context& ctx) {
  return std::visit(
      [&](const auto& x) -> Status {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, cmd::ServiceAdd> || std::is_same_v<T, cmd::ServiceSet> ||
                      std::is_same_v<T, cmd::ServiceDel> || std::is_same_v<T, cmd::BackendAdd> ||
                      std::is_same_v<T, cmd::BackendSet> || std::is_same_v<T, cmd::BackendAdmin> ||
                      std::is_same_v<T, cmd::BackendDel> || std::is_same_v<T, cmd::SetSeed> ||
                      std::is_same_v<T, cmd::SetTunnel> || std::is_same_v<T, cmd::SetNat> ||
                      std::is_same_v<T, cmd::SetTimeout> || std::is_same_v<T, cmd::SetFlowGuard> ||
                      std::is_same_v<T, cmd::CheckAdd> || std::is_same_v<T, cmd::CheckDel> ||
                      std::is_same_v<T, cmd::FlushRuleset>)
          return handle_edit(c, ctx);
        else
          return handle(x, ctx);
      },
      c);
}

}  // namespace xlb::cli
