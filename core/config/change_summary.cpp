#include "config/change_summary.hpp"

namespace xlb {

namespace {

using Summary = std::optional<std::string>;

std::string ref_of(const std::optional<ServiceRef>& r) { return r ? " " + r->str() : ""; }

Summary of(const cmd::InterfaceAttach& c) { return "interface attach " + c.dev; }
Summary of(const cmd::InterfaceDetach& c) { return "interface detach " + c.dev; }
Summary of(const cmd::DecapAttach& c) { return "decap attach " + c.dev; }
Summary of(const cmd::DecapDetach& c) { return "decap detach " + c.dev; }
Summary of(const cmd::DecapRefresh&) { return "decap refresh"; }
Summary of(const cmd::ServiceAdd& c) { return "service add " + c.service.name; }
Summary of(const cmd::ServiceSet& c) { return "service set " + c.ref.str(); }
Summary of(const cmd::ServiceDel& c) { return "service del " + c.ref.str(); }
Summary of(const cmd::BackendAdd& c) {
  return "backend add " + c.ref.str() + " " + c.backend.addr.str();
}
Summary of(const cmd::BackendSet& c) { return "backend set " + c.ref.str() + " " + c.addr.str(); }
Summary of(const cmd::BackendAdmin& c) {
  const char* verb = c.admin == Admin::disabled ? "disable" : "enable";
  return std::string("backend ") + verb + " " + c.ref.str() + " " + c.addr.str();
}
Summary of(const cmd::BackendDel& c) { return "backend del " + c.ref.str() + " " + c.addr.str(); }
Summary of(const cmd::BackendRefresh& c) { return "backend refresh" + ref_of(c.ref); }
Summary of(const cmd::CheckAdd& c) { return "check add " + c.ref.str(); }
Summary of(const cmd::CheckDel& c) { return "check del " + c.ref.str(); }
Summary of(const cmd::FlowsFlush& c) {
  std::string s = "flows flush" + ref_of(c.filter.service);
  return c.filter.backend ? s + " " + c.filter.backend->str() : s;
}
Summary of(const cmd::FlowsExpire&) { return "flows expire"; }
Summary of(const cmd::StatsReset&) { return "stats reset"; }
Summary of(const cmd::SetSeed&) { return "set seed"; }
Summary of(const cmd::SetTunnel& c) { return "set " + to_string(c.what); }
Summary of(const cmd::SetTimeout&) { return "set timeout"; }
Summary of(const cmd::SetFlowGuard&) { return "set flow-guard"; }
Summary of(const cmd::SetIcmpEcho&) { return "set icmp-echo"; }
Summary of(const cmd::SetNat& c) { return c.range.addr.is_v6() ? "set nat6" : "set nat4"; }
Summary of(const cmd::FlushRuleset&) { return "flush ruleset"; }
Summary of(const cmd::FilterAdd& c) { return "filter add " + c.rule.words(); }
Summary of(const cmd::FilterDel& c) {
  return "filter del " + (c.index ? std::to_string(c.index) : c.rule.words());
}

// Everything else reads. A configuration edit that has no line above still
// changes something, and says so rather than nothing.
template <typename T>
Summary of(const T&) {
  if constexpr (ConfigEdit<T>) return "configuration edit";
  return std::nullopt;
}

}  // namespace

std::optional<std::string> change_summary(const Command& c) {
  return std::visit([](const auto& x) { return of(x); }, c);
}

}  // namespace xlb
