// list ruleset, -f FILE, -c -f FILE, import ipvsadm
#include <fstream>
#include <iostream>
#include <sstream>

#include "config/ipvsadm_import.hpp"
#include "config/ruleset.hpp"
#include "handlers.hpp"
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

// The committed configuration, or an empty one where nothing is pinned
// yet (so `-c` works before the first attach).
Config live_or_empty(const Context& ctx) {
  auto st = open_state(ctx);
  if (!st) return Config{};
  auto cfg = st->read();
  return cfg ? *cfg : Config{};
}

Status check_file(const std::vector<RulesetCommand>& cmds, Context& ctx) {
  Config next = live_or_empty(ctx);
  SourceError err;
  auto r = apply_ruleset(next, cmds, &err);
  if (!r) return report(ctx, err, r.error().kind);
  return validate(next);
}

Status commit_file(const std::vector<RulesetCommand>& cmds, Context& ctx) {
  auto st = open_state(ctx);
  if (!st) return st.error();
  SourceError err;
  bool positioned = false;
  Config committed;
  auto r = st->update([&](Config& next) -> Status {
    Config live = next;
    auto applied = apply_ruleset(next, cmds, &err);
    if (!applied) {
      positioned = true;
      return applied.error();
    }
    carry_runtime_state(live, next);
    XLB_TRY(fill_macs(live, next));
    committed = next;
    return {};
  });
  print_state_warnings(*st);
  if (!r && positioned) return report(ctx, err, r.error().kind);
  if (r) warn_about_forwarding(committed, ctx);
  return r;
}

Status read_and_apply(const std::string& path, bool check_only, Context& ctx) {
  SourceError err;
  auto stmts = lex_file(path, &err);
  if (!stmts) return report(ctx, err, ErrorKind::usage);
  auto cmds = parse_ruleset(*stmts, &err);
  if (!cmds) return report(ctx, err, ErrorKind::usage);
  return check_only ? check_file(*cmds, ctx) : commit_file(*cmds, ctx);
}

}  // namespace

// `xlb -c -f` answers one question, "would this file apply?", so any failure
// is status 1, as `nft -c -f` does; `-f` keeps 2 for a malformed file.
Status apply_file(const std::string& path, bool check_only, Context& ctx) {
  Status s = read_and_apply(path, check_only, ctx);
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
  std::stringstream buf;
  if (c.file == "-") {
    buf << std::cin.rdbuf();
  } else {
    std::ifstream in(c.file);
    if (!in) return runtime_error("cannot read " + c.file);
    buf << in.rdbuf();
  }
  auto r = import_ipvsadm(buf.str(), c.file == "-" ? "<stdin>" : c.file);
  if (!r) return r.error();
  for (const auto& w : r->warnings) std::cerr << "xlb: warning: " << w << "\n";
  ctx.out.print(json{{"ruleset", r->ruleset}, {"warnings", r->warnings}},
                [&](const json&) { return r->ruleset; });
  return {};
}

}  // namespace xlb::cli
