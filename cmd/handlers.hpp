// One handler per command, grouped one file per object (interface.cpp,
// service.cpp, ...). Each builds its result as data and renders it through
// ctx.out; none prints errors itself: they come back as Status.
#pragma once

#include "config/command.hpp"
#include "context.hpp"
#include "state/next_hops.hpp"
#include "state/state.hpp"

namespace xlb::cli {

Status run(const Command& c, Context& ctx);

Status handle(const cmd::InterfaceAttach& c, Context& ctx);
Status handle(const cmd::InterfaceDetach& c, Context& ctx);
Status handle(const cmd::InterfaceList& c, Context& ctx);
Status handle(const cmd::ServiceList& c, Context& ctx);
Status handle(const cmd::BackendList& c, Context& ctx);
Status handle(const cmd::BackendRefresh& c, Context& ctx);
Status handle(const cmd::CheckList& c, Context& ctx);
Status handle(const cmd::FlowsList& c, Context& ctx);
Status handle(const cmd::FlowsCount& c, Context& ctx);
Status handle(const cmd::FlowsFlush& c, Context& ctx);
Status handle(const cmd::FlowsExpire& c, Context& ctx);
Status handle(const cmd::FlowsGet& c, Context& ctx);
Status handle(const cmd::Stats& c, Context& ctx);
Status handle(const cmd::StatsReset& c, Context& ctx);
Status handle(const cmd::Capture& c, Context& ctx);
Status handle(const cmd::ListRuleset& c, Context& ctx);
Status handle(const cmd::NatList& c, Context& ctx);
Status handle(const cmd::FilterList& c, Context& ctx);
Status handle(const cmd::ImportIpvsadm& c, Context& ctx);
Status handle(const cmd::Help& c, Context& ctx);
Status handle(const cmd::DecapAttach& c, Context& ctx);
Status handle(const cmd::DecapDetach& c, Context& ctx);
Status handle(const cmd::DecapRefresh& c, Context& ctx);
Status handle(const cmd::DecapList& c, Context& ctx);
// Every configuration edit (service add, backend disable, ...).
Status handle_edit(const Command& c, Context& ctx);

// `xlb -f FILE` and `xlb -c -f FILE`.
// check_only: `-c`, change nothing; diff (with check_only): print what
// applying would change, as removed (-) and added (+) ruleset lines.
Status apply_file(const std::string& path, bool check_only, Context& ctx, bool diff = false);
// `xlb -i`.
int run_shell(Context& ctx);

Result<State> open_state(const Context& ctx);
// st.update(edit), or st.replace(edit) when the edit replaces everything (it
// then warns on stderr about a stored model it had to discard).
Status update_or_replace(State& st, bool replaces, const std::function<Status(Config&)>& edit);
// After a change: says on stderr what tunnel services need and lack (IP
// forwarding on the attached interfaces).
void warn_about_forwarding(const Context& ctx);
void warn_about_forwarding(const Config& committed, const Context& ctx);
// Names on stderr the backends committed without a resolved next hop.
inline constexpr const char* kUnresolvedAdvice =
    "next hop unresolved (no answer to ARP/ND); out of the tables until it resolves (xlb backend "
    "refresh, or xlb-healthd)";
void warn_unresolved(const std::vector<BackendRef>& unresolved);
// The warnings of the last State::update (repairs, host-side retries).
void print_state_warnings(const State& st);

}  // namespace xlb::cli
