// One handler per command, grouped one file per object (interface.cpp,
// service.cpp, ...). Each builds its result as data and renders it through
// ctx.out; none prints errors itself: they come back as Status.
#pragma once

#include "config/command.hpp"
#include "context.hpp"
#include "state/state.hpp"

namespace xlb::cli {

Status run(const Command& c, Context& ctx);

Status handle(const cmd::InterfaceAttach& c, Context& ctx);
Status handle(const cmd::InterfaceDetach& c, Context& ctx);
Status handle(const cmd::InterfaceList& c, Context& ctx);
Status handle(const cmd::ServiceList& c, Context& ctx);
Status handle(const cmd::BackendList& c, Context& ctx);
Status handle(const cmd::CheckList& c, Context& ctx);
Status handle(const cmd::FlowsList& c, Context& ctx);
Status handle(const cmd::FlowsCount& c, Context& ctx);
Status handle(const cmd::FlowsFlush& c, Context& ctx);
Status handle(const cmd::FlowsExpire& c, Context& ctx);
Status handle(const cmd::FlowsGet& c, Context& ctx);
Status handle(const cmd::Stats& c, Context& ctx);
Status handle(const cmd::StatsReset& c, Context& ctx);
Status handle(const cmd::ListRuleset& c, Context& ctx);
Status handle(const cmd::NatList& c, Context& ctx);
Status handle(const cmd::ImportIpvsadm& c, Context& ctx);
Status handle(const cmd::Help& c, Context& ctx);
Status handle(const cmd::DecapAttach& c, Context& ctx);
Status handle(const cmd::DecapDetach& c, Context& ctx);
Status handle(const cmd::DecapRefresh& c, Context& ctx);
Status handle(const cmd::DecapList& c, Context& ctx);
// Every configuration edit (service add, backend disable, ...).
Status handle_edit(const Command& c, Context& ctx);

// `xlb -f FILE` and `xlb -c -f FILE`.
Status apply_file(const std::string& path, bool check_only, Context& ctx);
// `xlb -i`.
int run_shell(Context& ctx);

Result<State> open_state(const Context& ctx);
// After a change: says on stderr what tunnel services need and lack (IP
// forwarding on the attached interfaces).
void warn_about_forwarding(const Context& ctx);
void warn_about_forwarding(const Config& committed, const Context& ctx);

}  // namespace xlb::cli
