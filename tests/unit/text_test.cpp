// Operator strings are text (issue 20, defects 5 and 6): words that are not
// UTF-8 or hold control characters are refused wherever they come from, and
// every string the model accepts prints back quoted where the grammar needs
// it, so `list ruleset | xlb -f -` is the identity.
#include <gtest/gtest.h>

#include <string>

#include "base/text.hpp"
#include "config/command.hpp"
#include "config/lexer.hpp"
#include "config/ruleset.hpp"
#include "model/check.hpp"

namespace xlb {
namespace {

Result<Config> apply_text(const std::string& text) {
  SourceError err;
  auto st = lex_text(text, "t.conf", &err);
  if (!st) return st.error();
  auto cmds = parse_ruleset(*st, &err);
  if (!cmds) return cmds.error();
  Config c;
  auto r = apply_ruleset(c, *cmds, &err);
  if (!r) return r.error();
  return c;
}

TEST(Text, Problems) {
  EXPECT_FALSE(text_problem("caf\xc3\xa9 /a;b#c$d\"e"));
  EXPECT_EQ(text_problem("\xff"), "invalid UTF-8");
  EXPECT_EQ(text_problem("a\xc0\xaf"), "invalid UTF-8");  // overlong '/'
  EXPECT_EQ(text_problem(std::string("a\0b", 3)), "NUL byte");
  EXPECT_EQ(text_problem("a\x1b[2J"), "control character 0x1b");
  EXPECT_EQ(text_problem("a\tb"), "control character 0x09");
  EXPECT_EQ(text_problem("\x7f"), "control character 0x7f");
}

TEST(Text, RulesetWordQuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(ruleset_word("/healthz?x=1"), "\"/healthz?x=1\"");  // '=' splits a define
  EXPECT_EQ(ruleset_word("/healthz"), "/healthz");
  EXPECT_EQ(ruleset_word("a.example.org"), "a.example.org");
  EXPECT_EQ(ruleset_word("#example.org"), "\"#example.org\"");
  EXPECT_EQ(ruleset_word("/a;b"), "\"/a;b\"");
  EXPECT_EQ(ruleset_word("/$x"), "\"/$x\"");
  EXPECT_EQ(ruleset_word("/\"q\\"), "\"/\\\"q\\\\\"");
  EXPECT_EQ(ruleset_word(""), "\"\"");
}

TEST(Text, CommandWordsMustBeText) {
  for (const char* bad : {"\xff", "web\x01", "a\xe2\x82"}) {
    auto r = parse_command(std::vector<std::string>{"service", "del", bad});
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().token, 2);
    EXPECT_NE(r.error().message.find("argument 3 is not text"), std::string::npos);
  }
  auto host = parse_command(std::vector<std::string>{"check", "add", "d", "dns", "host", "\xff"});
  EXPECT_FALSE(host.ok());
}

// Each string is a check's path or host that the grammar accepts; the printed
// ruleset must read back to the same model and print the same.
TEST(Text, HostilePathsAndHostsPrintBack) {
  const char* const strings[] = {"#example.org", "a;b",         "$HOME", "x\"y", "back\\slash",
                                 "/p;q#r$s\"t",  "caf\xc3\xa9", "a=b",   "\\",   "/\\"};
  for (const char* s : strings) {
    const std::string word = ruleset_word(s);
    const std::string path = s[0] == '/' ? word : ruleset_word(std::string("/") + s);
    const std::string text = "service add d udp 192.0.2.53:53\ncheck add d dns host " + word +
                             "\nservice add w tcp 192.0.2.80:80\ncheck add w http path " + path +
                             " host " + word + "\n";
    auto c = apply_text(text);
    ASSERT_TRUE(c.ok()) << c.error().message << "\n" << text;
    ASSERT_EQ(c->services[0].checks.at(0).host, s);
    const std::string printed = print_ruleset(*c);
    auto back = apply_text(printed);
    ASSERT_TRUE(back.ok()) << back.error().message << "\n" << printed;
    EXPECT_EQ(back->services[0].checks.at(0).host, s);
    EXPECT_EQ(back->services[1].checks.at(0).path, c->services[1].checks.at(0).path);
    EXPECT_EQ(print_ruleset(*back), printed);
  }
}

TEST(Text, ControlCharactersInAPathAreRefusedByTheModel) {
  Service s;
  s.name = "w";
  s.proto = Proto::tcp;
  s.port = 80;
  Check chk;
  chk.type = CheckType::http;
  chk.path = "/a\x1b";
  EXPECT_FALSE(validate_check(s, chk).ok());
  chk.path = "/\xff";
  EXPECT_FALSE(validate_check(s, chk).ok());
}

}  // namespace
}  // namespace xlb
