// The lexer takes any bytes: random strings and random damage to a valid
// ruleset may give errors, never a crash, a hang or an error without a place.
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "config/lexer.hpp"

namespace xlb {
namespace {

constexpr char kValidRuleset[] =
    "# web tier\n"
    "define VIP = 192.0.2.10\n"
    "define V6 = 2001:db8::10\n"
    "define POOL = 198.51.100.21 weight 2\n"
    "flush ruleset\n"
    "service add web tcp $VIP:80 sched mh; service add dns udp [$V6]:53\n"
    "backend add web $POOL\n"
    "backend add web 198.51.100.22 \\\n"
    "    weight 0   # drained\n"
    "check add web http \"/healthz\" status 200 comment \"a \\\"quoted\\\" \\\\ word\"\n"
    "redefine VIP = 192.0.2.11\n"
    "undefine V6\n";

// Bytes that mean something to the lexer come up more often than others.
char random_byte(std::mt19937& rng) {
  static constexpr char kSpecial[] = "\"\\$#;=\n \t\rdefinx_AZ09:[]";
  std::uniform_int_distribution<int> pick(0, 3);
  if (pick(rng) == 0) return static_cast<char>(std::uniform_int_distribution<int>(0, 255)(rng));
  return kSpecial[std::uniform_int_distribution<size_t>(0, sizeof(kSpecial) - 2)(rng)];
}

std::string random_text(std::mt19937& rng) {
  std::string s(std::uniform_int_distribution<size_t>(0, 200)(rng), '\0');
  for (char& c : s) c = random_byte(rng);
  return s;
}

std::string mutate(std::string s, std::mt19937& rng) {
  const int edits = std::uniform_int_distribution<int>(1, 8)(rng);
  for (int e = 0; e < edits; e++) {
    const size_t at = std::uniform_int_distribution<size_t>(0, s.size())(rng);
    switch (std::uniform_int_distribution<int>(0, 3)(rng)) {
      case 0:
        s.insert(at, 1, random_byte(rng));
        break;
      case 1:
        if (at < s.size()) s.erase(at, 1);
        break;
      case 2:
        if (at < s.size()) s[at] = random_byte(rng);
        break;
      default:
        s.insert(at, s.substr(at / 2, 16));
        break;  // repeat a piece
    }
  }
  return s;
}

void check_lexes_or_reports(const std::string& text) {
  SourceError err;
  auto r = lex_text(text, "fuzz", &err);
  if (r.ok()) {
    for (const Statement& st : *r)
      for (const Token& t : st.tokens) ASSERT_GE(t.pos.line, 1) << text;
    return;
  }
  ASSERT_FALSE(err.message.empty()) << text;
  ASSERT_GE(err.pos.line, 1) << text;
  ASSERT_GE(err.pos.col, 1) << text;
  ASSERT_EQ(err.line_text.find('\n'), std::string::npos) << text;
  ASSERT_FALSE(render_error(err).empty());
}

TEST(LexerFuzz, ValidRulesetLexes) {
  auto r = lex_text(kValidRuleset, "valid", nullptr);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->size(), 6u);
}

TEST(LexerFuzz, RandomBytes) {
  std::mt19937 rng(20240601);
  for (int i = 0; i < 10000; i++) check_lexes_or_reports(random_text(rng));
}

TEST(LexerFuzz, MutatedRuleset) {
  std::mt19937 rng(42);
  for (int i = 0; i < 10000; i++) check_lexes_or_reports(mutate(kValidRuleset, rng));
}

}  // namespace
}  // namespace xlb
