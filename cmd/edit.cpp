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

void warn_unresolved(const std::vector<BackendRef>& unresolved) {
  for (const auto& u : unresolved)
    std::cerr << "xlb: warning: backend " << u.backend.str() << " of service " << u.service << ": "
              << kUnresolvedAdvice << "\n";
}

// `flush ruleset` and files starting with it replace everything, so they work
// over a stored model that cannot be read (that is the way out of one).
Status update_or_replace(State& st, bool replaces, const std::function<Status(Config&)>& edit) {
  if (!replaces) return st.update(edit);
  std::string discarded;
  Status s = st.replace(edit, &discarded);
  if (s && !discarded.empty()) std::cerr << "xlb: warning: " << discarded << "; discarded it\n";
  return s;
}

Status handle_edit(const Command& c, Context& ctx) {
  auto st = open_state(ctx);
  if (!st) return st.error();
  Config committed;
  std::vector<BackendRef> unresolved;
  const bool replaces = std::holds_alternative<cmd::FlushRuleset>(c);
  Status s = update_or_replace(*st, replaces, [&](Config& next) -> Status {
    Config live = next;
    XLB_TRY(apply_edit(next, c));
    unresolved = fill_macs(live, next);
    committed = next;
    return {};
  });
  if (s) warn_unresolved(unresolved);
  print_state_warnings(*st);
  if (s) warn_about_forwarding(committed, ctx);
  return s;
}

}  // namespace xlb::cli
