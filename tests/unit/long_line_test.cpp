// Statements sharing a line share its text (issue 20, defect 4): 4,000
// `;`-separated statements on one line used to take 1 GB and 13.5 s, each
// statement holding a copy of the whole line.
#include <gtest/gtest.h>
#include <malloc.h>

#include <ctime>
#include <string>

#include "config/lexer.hpp"
#include "config/ruleset.hpp"

namespace xlb {
namespace {

// `service add sN tcp 10.X.Y.1:80;` repeated: about 33 bytes a statement.
std::string one_line(int statements) {
  std::string out;
  for (int i = 0; i < statements; i++)
    out += "service add s" + std::to_string(i) + " tcp 10." + std::to_string(i / 250) + "." +
           std::to_string(i % 250) + ".1:80; ";
  return out + "\n";
}

size_t heap_in_use() { return mallinfo2().uordblks; }

TEST(LongLine, StatementsOfOneLineShareItsText) {
  const std::string text = one_line(4000);  // 132 KB
  const size_t before = heap_in_use();
  auto st = lex_text(text, "long.conf", nullptr);
  ASSERT_TRUE(st.ok()) << st.error().message;
  ASSERT_EQ(st->size(), 4000u);
  // 4,000 copies of the line would be 528 MB; the tokens themselves ~3 MB.
  EXPECT_LT(heap_in_use() - before, 16u << 20);
}

TEST(LongLine, TwentyThousandStatementsOnOneLineParseFast) {
  const std::string text = one_line(20000);
  // CPU time, not wall time: the bound holds on a loaded machine too.
  const std::clock_t start = std::clock();
  SourceError err;
  auto st = lex_text(text, "long.conf", &err);
  ASSERT_TRUE(st.ok()) << st.error().message;
  auto cmds = parse_ruleset(*st, &err);
  ASSERT_TRUE(cmds.ok()) << cmds.error().message;
  EXPECT_EQ(cmds->size(), 20000u);
  EXPECT_LT(double(std::clock() - start) / CLOCKS_PER_SEC, 2.0);
}

TEST(LongLine, ErrorsStillShowTheirLine) {
  const std::string text = "set seed 1; set seed x; set seed 2\n";
  SourceError err;
  auto st = lex_text(text, "e.conf", &err);
  ASSERT_TRUE(st.ok());
  EXPECT_FALSE(parse_ruleset(*st, &err).ok());
  EXPECT_EQ(err.line_text, "set seed 1; set seed x; set seed 2");
  EXPECT_EQ(err.pos.col, 22);
}

}  // namespace
}  // namespace xlb
