// A ruleset text applied to a model as `xlb -f` does, for the grammar tests.
#pragma once

#include <string>
#include <utility>

#include "config/lexer.hpp"
#include "config/ruleset.hpp"
#include "model/model.hpp"

namespace xlb::test {

// Applies `text` to a copy of `c`, kept only when it all applies (as -f).
inline Status apply_status(Config& c, const std::string& text) {
  SourceError err;
  auto stmts = lex_text(text, "t.conf", &err);
  if (!stmts) return stmts.error();
  auto cmds = parse_ruleset(*stmts, &err);
  if (!cmds) return cmds.error();
  Config next = c;
  XLB_TRY(apply_ruleset(next, *cmds, &err));
  c = std::move(next);
  return {};
}

}  // namespace xlb::test
