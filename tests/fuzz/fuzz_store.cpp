// libFuzzer: the store decoder (what every command runs on the pinned
// model). Any bytes decode or give an error, never a throw, a crash or
// unbounded memory. What decodes is valid (validate_stored), re-encodes to a
// blob that decodes to the same model, and prints as a ruleset that applies
// back to the same text.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "config/lexer.hpp"
#include "config/ruleset.hpp"
#include "model/model_cbor.hpp"

using namespace xlb;

namespace {

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "%s\n", what.c_str());
  std::abort();
}

void check_prints_back(const Config& c) {
  const std::string printed = print_ruleset(c);
  SourceError err;
  auto st = lex_text(printed, "printed.conf", &err);
  if (!st) fail("printed ruleset does not lex: " + st.error().message + "\n" + printed);
  auto cmds = parse_ruleset(*st, &err);
  if (!cmds) fail("printed ruleset does not parse: " + cmds.error().message + "\n" + printed);
  Config back;
  Status s = apply_ruleset(back, *cmds, &err);
  if (!s) fail("printed ruleset does not apply: " + s.error().message + "\n" + printed);
  if (print_ruleset(back) != printed) fail("printed ruleset prints differently\n" + printed);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto c = config_from_cbor(std::span<const uint8_t>(data, size));
  if (!c) return 0;
  if (!validate_stored(*c)) fail("decoded model does not validate");
  const std::vector<uint8_t> blob = config_to_cbor(*c);
  auto again = config_from_cbor(blob);
  if (!again) fail("re-encoded model does not decode: " + again.error().message);
  if (config_to_cbor(*again) != blob) fail("re-encoded model decodes differently");
  check_prints_back(*c);
  return 0;
}
