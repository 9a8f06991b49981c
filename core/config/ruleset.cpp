#include "config/ruleset.hpp"

#include "model/check.hpp"
#include "model/ops.hpp"
#include "model/timeouts.hpp"
#include "model/twins.hpp"

namespace xlb {

namespace {

std::string service_line(const Service& s) {
  std::string l = "service add " + s.name + " " + s.spec() + " sched " + to_string(s.sched);
  if (s.ring != XLB_RING_DEFAULT) l += " ring " + std::to_string(s.ring);
  if (s.forward != Forward::dsr) l += " forward " + to_string(s.forward);
  if (s.forward_port) l += " port " + std::to_string(s.forward_port);
  if (s.need != 1) l += " need " + std::to_string(s.need);
  if (s.panic) l += " panic " + std::to_string(s.panic) + "%";
  if (s.weights != WeightMode::fixed) l += " weights " + to_string(s.weights);
  if (s.persist) l += " persist " + format_timeout(s.persist);
  return l + "\n";
}

std::string check_lines(const Service& s) {
  std::string out;
  for (const auto& c : s.checks) out += "check add " + s.name + " " + check_words(c) + "\n";
  return out;
}

std::string backend_lines(const Service& s, const Backend& b) {
  std::string l =
      "backend add " + s.name + " " + b.addr.str() + " weight " + std::to_string(b.weight);
  if (b.mac_explicit) l += " mac " + b.mac.str();
  if (!b.dev.empty()) l += " dev " + b.dev;
  if (b.vlan) l += " vlan " + std::to_string(b.vlan);
  if (b.priority) l += " priority " + std::to_string(b.priority);
  l += "\n";
  if (b.admin == Admin::disabled) l += "backend disable " + s.name + " " + b.addr.str() + "\n";
  return l;
}

std::string tunnel_setting_lines(const Settings& st) {
  std::string out;
  auto line = [&](const char* name, const std::optional<IpAddr>& a) {
    if (a) out += std::string("set ") + name + " " + a->str() + "\n";
  };
  line("source4", st.source4);
  line("source6", st.source6);
  line("gateway4", st.gateway4);
  line("gateway6", st.gateway6);
  return out;
}

// `set timeout` with the timeouts that are not the default, `set
// flow-guard` and `set icmp-echo` when not the default.
std::string flow_setting_lines(const Settings& st) {
  std::string out, words;
  const FlowTimeouts d;
  auto word = [&](const char* name, uint32_t v, uint32_t def) {
    if (v != def) words += std::string(" ") + name + " " + format_timeout(v);
  };
  word("tcp", st.timeouts.tcp, d.tcp);
  word("tcp-syn", st.timeouts.tcp_syn, d.tcp_syn);
  word("udp", st.timeouts.udp, d.udp);
  if (!words.empty()) out += "set timeout" + words + "\n";
  if (st.flow_guard != XLB_FLOW_GUARD)
    out += "set flow-guard " + (st.flow_guard ? std::to_string(st.flow_guard) : "off") + "\n";
  if (!st.icmp_echo) out += "set icmp-echo off\n";
  return out;
}

}  // namespace

std::string print_ruleset(const Config& c) {
  std::string out = "flush ruleset\n";
  if (c.settings.seed != kDefaultSeed) out += "set seed " + std::to_string(c.settings.seed) + "\n";
  out += flow_setting_lines(c.settings);
  out += tunnel_setting_lines(c.settings);
  if (c.settings.nat4) out += "set nat4 " + c.settings.nat4->str() + "\n";
  if (c.settings.nat6) out += "set nat6 " + c.settings.nat6->str() + "\n";
  for (const auto& s : c.services) {
    out += service_line(s);
    for (const auto& b : s.backends) out += backend_lines(s, b);
    out += check_lines(s);
  }
  for (const auto& r : c.filters) out += "filter add " + r.words() + "\n";
  return out;
}

Result<std::vector<RulesetCommand>> parse_ruleset(const std::vector<Statement>& stmts,
                                                  SourceError* err) {
  std::vector<RulesetCommand> out;
  out.reserve(stmts.size());  // a Command is big: never moved on growth
  for (const auto& st : stmts) {
    std::vector<std::string> words;
    words.reserve(st.tokens.size());
    for (const auto& t : st.tokens) words.push_back(t.text);
    auto cmd = parse_command(words);
    if (!cmd || !is_config_edit(*cmd)) {
      size_t at = cmd ? 0 : static_cast<size_t>(std::max(cmd.error().token, 0));
      std::string msg = cmd ? "'" + words[0] + (words.size() > 1 ? " " + words[1] : "") +
                                  "' is not allowed in a ruleset file"
                            : cmd.error().message;
      *err = at < st.tokens.size() ? st.error_at(st.tokens[at], msg) : st.error_at_end(msg);
      return to_error(*err);
    }
    out.push_back({std::move(*cmd), &st});
  }
  return out;
}

Status apply_ruleset(Config& next, const std::vector<RulesetCommand>& cmds, SourceError* err) {
  for (const auto& rc : cmds) {
    auto r = apply_edit(next, rc.command);
    if (!r) {
      const auto& toks = rc.statement->tokens;
      // The service named by the command is the usual culprit.
      *err = rc.statement->error_at(toks.size() > 2 ? toks[2] : toks[0], r.error().message);
      Error e = to_error(*err);
      e.kind = r.error().kind;
      return e;
    }
  }
  return {};
}

const Statement* find_culprit(const Config& live, const std::vector<RulesetCommand>& cmds,
                              const Error& error,
                              const std::function<Status(const Config&)>& probe) {
  auto reproduces = [&](const Config& c) {
    Status s = probe(c);
    return !s && s.error().message == error.message;
  };
  // One probe of the whole outcome first: an error the probe does not
  // reproduce (a kernel failure) costs no probe per statement.
  Config all = live;
  for (const auto& rc : cmds)
    if (!apply_edit(all, rc.command)) return nullptr;
  if (!reproduces(all)) return nullptr;
  Config c = live;
  bool failing = reproduces(c);
  const Statement* since = nullptr;  // the first of the current failing run
  for (const auto& rc : cmds) {
    if (!apply_edit(c, rc.command)) return nullptr;
    bool fails = reproduces(c);
    if (fails && !failing) since = rc.statement;
    failing = fails;
  }
  return failing ? since : nullptr;
}

const Statement* statement_adding(const Config& next, const std::vector<RulesetCommand>& cmds,
                                  const std::string& service, const IpAddr& backend) {
  const Statement* found = nullptr;
  for (const auto& rc : cmds) {
    const auto* add = std::get_if<cmd::BackendAdd>(&rc.command);
    if (!add || add->backend.addr != backend) continue;
    auto s = find_service(next, add->ref);
    if (s && (*s)->name == service) found = rc.statement;
  }
  return found;
}

void carry_runtime_state(const Config& live, Config& next) {
  const Twins twins(live);
  for (auto& s : next.services) {
    const Service* old_s = twins.service(s.name);
    if (!old_s) continue;
    for (auto& b : s.backends) {
      const Backend* old = twins.backend(s.name, b.addr);
      if (!old || b.id != XLB_NO_BACKEND) continue;
      b.health = old->health;
      // Effective (dynamic) weights, while they still mean the same: same
      // mode, same configured weight.
      if (old_s->weights == s.weights && old->weight == b.weight)
        b.effective_weight = old->effective_weight;
    }
  }
}

}  // namespace xlb
