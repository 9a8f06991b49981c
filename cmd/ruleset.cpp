// list ruleset, -f FILE, -c -f FILE, import ipvsadm
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>

#include "audit.hpp"
#include "base/file.hpp"
#include "config/ipvsadm_import.hpp"
#include "config/ruleset.hpp"
#include "handlers.hpp"
#include "model/capacities.hpp"
#include "net/route.hpp"
#include "state/nat_table.hpp"
#include "state/next_hops.hpp"

namespace xlb::cli {

namespace {

// File errors are shown nft-style with a caret; the Error handed back is
// then empty so nothing prints it twice.
Error report(Context& ctx, const SourceError& err, ErrorKind kind) {
  if (ctx.out.json_mode()) {
    Error e = to_error(err);
    e.kind = kind;
    return e;
  }
  ctx.out.error_text(render_error(err));
  return Error{kind, ""};
}

// The committed configuration and the maps' capacities, or an empty
// configuration where nothing is pinned yet (so `-c` works before the first
// attach), said on stderr: a check against nothing passes files that the
// live state would refuse.
struct Live {
  Config config;
  std::optional<Capacities> caps;
};

Live live_or_empty(const Context& ctx) {
  auto st = open_state(ctx);
  auto cfg = st ? st->read() : Result<Config>(st.error());
  if (cfg) return {*cfg, st->maps().caps()};
  std::error_code ec;
  bool absent = !std::filesystem::exists(ctx.opts.pin_path, ec);
  std::cerr << "xlb: " << (absent ? "note" : "warning") << ": cannot read the live state at "
            << ctx.opts.pin_path << " ("
            << (absent ? std::string("nothing attached") : cfg.error().message)
            << "): checking against an empty configuration\n";
  return {};
}

// What the transaction refuses before it writes anything, in its order: the
// whole model, then the maps' room (when they are known).
Status commit_checks(const Config& live, const Config& next,
                     const std::optional<Capacities>& caps) {
  XLB_TRY(validate(next));
  if (!caps) return {};
  XLB_TRY(check_nat_capacity(next.settings, caps->backends));
  XLB_TRY(check_service_map_capacity(next, *caps));
  return check_id_capacity(live, next, *caps);
}

// A failure of the file as a whole, at the statement that caused it when
// the checks above reproduce it, else as it is.
Status positioned(Context& ctx, const Error& e, const Config& live,
                  const std::vector<RulesetCommand>& cmds, const std::optional<Capacities>& caps) {
  const Statement* at =
      find_culprit(live, cmds, e, [&](const Config& c) { return commit_checks(live, c, caps); });
  if (!at) return e;
  const auto& toks = at->tokens;
  return report(ctx, at->error_at(toks.size() > 2 ? toks[2] : toks[0], e.message), e.kind);
}

// Unresolved next hops, each at the `backend add` that added it.
void warn_unresolved_at(const std::vector<BackendRef>& unresolved, const Config& committed,
                        const std::vector<RulesetCommand>& cmds) {
  std::vector<BackendRef> rest;
  for (const auto& u : unresolved) {
    const Statement* at = statement_adding(committed, cmds, u.service, u.backend);
    if (!at) {
      rest.push_back(u);
      continue;
    }
    std::cerr << format_pos(at->tokens[0].pos) << ": warning: backend " << u.backend.str()
              << " of service " << u.service << ": " << kUnresolvedAdvice << "\n";
  }
  warn_unresolved(rest);
}

// What applying would change: the ruleset lines only before (-) and only
// after (+), each in its own order.
json ruleset_diff(const Config& before, const Config& after) {
  auto lines = [](const Config& c) {
    std::multiset<std::string> set;
    std::vector<std::string> v;
    std::istringstream in(print_ruleset(c));
    for (std::string l; std::getline(in, l);) v.push_back(l), set.insert(l);
    return std::pair{v, set};
  };
  auto [old_lines, old_set] = lines(before);
  auto [new_lines, new_set] = lines(after);
  json d{{"removed", json::array()}, {"added", json::array()}};
  for (const auto& l : old_lines)
    if (auto it = new_set.find(l); it != new_set.end())
      new_set.erase(it);
    else
      d["removed"].push_back(l);
  for (const auto& l : new_lines)
    if (auto it = old_set.find(l); it != old_set.end())
      old_set.erase(it);
    else
      d["added"].push_back(l);
  return d;
}

std::vector<std::string_view> sorted_lines(const std::string& text) {
  std::vector<std::string_view> v;
  for (size_t at = 0, nl; at < text.size(); at = nl + 1) {
    nl = text.find('\n', at);
    if (nl == std::string::npos) nl = text.size();
    v.push_back(std::string_view(text).substr(at, nl - at));
  }
  std::sort(v.begin(), v.end());
  return v;
}

// How many lines ruleset_diff() would list as added and as removed,
// counted on sorted lines (the audit line of a 10,000-backend file).
std::pair<size_t, size_t> ruleset_line_changes(const Config& before, const Config& after) {
  const std::string old_text = print_ruleset(before), new_text = print_ruleset(after);
  const auto old_lines = sorted_lines(old_text), new_lines = sorted_lines(new_text);
  size_t i = 0, j = 0, common = 0;
  while (i < old_lines.size() && j < new_lines.size()) {
    const int c = old_lines[i].compare(new_lines[j]);
    common += c == 0;
    i += c <= 0;
    j += c >= 0;
  }
  return {new_lines.size() - common, old_lines.size() - common};
}

void print_diff(const json& d, Context& ctx) {
  ctx.out.print(d, [](const json& m) {
    std::string out;
    for (const auto& l : m["removed"]) out += "-" + l.get<std::string>() + "\n";
    for (const auto& l : m["added"]) out += "+" + l.get<std::string>() + "\n";
    return out;
  });
}

Status check_file(const std::vector<RulesetCommand>& cmds, Context& ctx, bool diff) {
  Live live = live_or_empty(ctx);
  Config next = live.config;
  SourceError err;
  auto r = apply_ruleset(next, cmds, &err);
  if (!r) return report(ctx, err, r.error().kind);
  Status ok = commit_checks(live.config, next, live.caps);
  if (!ok) return positioned(ctx, ok.error(), live.config, cmds, live.caps);
  if (diff) print_diff(ruleset_diff(live.config, next), ctx);
  return {};
}

// The audit line of an applied file: which file, and how much of the
// ruleset it changed.
void audit_file(const std::string& path, const Config& before, const Config& after,
                const Context& ctx) {
  const auto [added, removed] = ruleset_line_changes(before, after);
  audit("ruleset " + display_name(path) + " applied (" + std::to_string(added) +
            " ruleset lines added, " + std::to_string(removed) + " removed)",
        ctx.command_line);
}

Status commit_file(const std::string& path, const std::vector<RulesetCommand>& cmds, Context& ctx) {
  auto st = open_state(ctx);
  if (!st) return st.error();
  SourceError err;
  bool edit_failed = false;
  Config live, committed;
  std::vector<BackendRef> unresolved;
  const bool replaces =
      !cmds.empty() && std::holds_alternative<cmd::FlushRuleset>(cmds.front().command);
  auto r = update_or_replace(*st, replaces, [&](Config& next) -> Status {
    live = next;
    auto applied = apply_ruleset(next, cmds, &err);
    if (!applied) {
      edit_failed = true;
      return applied.error();
    }
    carry_runtime_state(live, next);
    unresolved = fill_macs(live, next);
    committed = next;
    return {};
  });
  print_state_warnings(*st);
  if (!r && edit_failed) return report(ctx, err, r.error().kind);
  if (!r) return positioned(ctx, r.error(), live, cmds, st->maps().caps());
  audit_file(path, live, committed, ctx);
  warn_unresolved_at(unresolved, committed, cmds);
  warn_about_forwarding(committed, ctx);
  return r;
}

Status read_and_apply(const std::string& path, bool check_only, Context& ctx, bool diff) {
  SourceError err;
  auto stmts = lex_file(path, &err);
  if (!stmts) return report(ctx, err, ErrorKind::usage);
  auto cmds = parse_ruleset(*stmts, &err);
  if (!cmds) return report(ctx, err, ErrorKind::usage);
  return check_only ? check_file(*cmds, ctx, diff) : commit_file(path, *cmds, ctx);
}

}  // namespace

// `xlb -c -f` answers one question, "would this file apply?", so any failure
// is status 1, as `nft -c -f` does; `-f` keeps 2 for a malformed file.
Status apply_file(const std::string& path, bool check_only, Context& ctx, bool diff) {
  Status s = read_and_apply(path, check_only, ctx, diff);
  if (s || !check_only) return s;
  Error e = s.error();
  e.kind = ErrorKind::runtime;
  return e;
}

Status handle(const cmd::ListRuleset&, Context& ctx) {
  auto st = open_state(ctx);
  if (!st) return st.error();
  auto cfg = st->read();
  if (!cfg) return cfg.error();
  std::string text = print_ruleset(*cfg);
  ctx.out.print(json{{"ruleset", text}, {"settings", settings_json(cfg->settings)}},
                [&](const json&) { return text; });
  return {};
}

Status handle(const cmd::ImportIpvsadm& c, Context& ctx) {
  auto text = read_input_file(c.file);
  if (!text) return text.error();
  ImportOptions opt;
  opt.tunnel_source = [](const IpAddr& real_server) -> std::optional<IpAddr> {
    auto route = route_get(real_server);
    if (!route) return std::nullopt;
    return route->source;
  };
  auto r = import_ipvsadm(*text, c.file == "-" ? "<stdin>" : c.file, nullptr, opt);
  if (!r) return r.error();
  for (const auto& w : r->warnings) std::cerr << "xlb: warning: " << w << "\n";
  ctx.out.print(json{{"ruleset", r->ruleset}, {"warnings", r->warnings}},
                [&](const json&) { return r->ruleset; });
  return {};
}

}  // namespace xlb::cli
