// libFuzzer: the ruleset path, text in. Any bytes lex, parse and apply to an
// empty model or give a positioned error, never a crash. What applies is
// printed (`list ruleset`), and the oracle is the round trip: the printed text
// applies back to a model that prints the same text.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "config/lexer.hpp"
#include "config/ruleset.hpp"

namespace {

using namespace xlb;

// nullopt when the text does not apply (any error is fine there).
std::optional<Config> apply(const std::string& text) {
  SourceError err;
  auto st = lex_text(text, "fuzz.conf", &err);
  if (!st) {
    if (render_error(err).empty()) std::abort();
    return std::nullopt;
  }
  auto cmds = parse_ruleset(*st, &err);
  if (!cmds) return std::nullopt;
  Config c;
  if (!apply_ruleset(c, *cmds, &err) || !validate(c)) return std::nullopt;
  return c;
}

[[noreturn]] void fail(const char* what, const std::string& a, const std::string& b) {
  std::fprintf(stderr, "%s\n--- first:\n%s--- second:\n%s", what, a.c_str(), b.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;  // long inputs only slow the search down
  auto c = apply(std::string(reinterpret_cast<const char*>(data), size));
  if (!c) return 0;
  const std::string printed = print_ruleset(*c);
  auto again = apply(printed);
  if (!again) fail("printed ruleset does not apply back", printed, "");
  const std::string reprinted = print_ruleset(*again);
  if (reprinted != printed) fail("printed ruleset does not print the same", printed, reprinted);
  return 0;
}
