// libFuzzer: `xlb import ipvsadm`. Any bytes give a ruleset or a positioned
// error; the ruleset given must pass the checker (`xlb -c -f`): it lexes,
// parses and applies to an empty model, which then validates.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "config/ipvsadm_import.hpp"
#include "config/lexer.hpp"
#include "config/ruleset.hpp"

using namespace xlb;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  SourceError err;
  auto r =
      import_ipvsadm(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz", &err);
  if (!r) return 0;
  auto st = lex_text(r->ruleset, "imported.conf", &err);
  Config c;
  Status applied = st ? Status{} : Status{st.error()};
  if (applied) {
    auto cmds = parse_ruleset(*st, &err);
    applied = cmds ? apply_ruleset(c, *cmds, &err) : Status{cmds.error()};
  }
  if (applied) applied = validate(c);
  if (!applied) {
    std::fprintf(stderr, "imported ruleset fails the check: %s\n%s",
                 applied.error().message.c_str(), r->ruleset.c_str());
    std::abort();
  }
  return 0;
}
