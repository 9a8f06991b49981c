// Errors that only the commit of a whole file finds (the maps' room, the NAT
// range against it) name FILE:LINE of the statement that caused them, as
// parse errors do, under `-f` and `-c -f` alike; the file changes nothing.
#include <string>

#include "ruleset_fixture.hpp"

namespace xlb::test {
namespace {

class PositionsTest : public PinnedTest {
 protected:
  // Runs `xlb -f FILE` and `xlb -c -f FILE`: both fail (-f with f_status,
  // -c with 1) with an error at FILE:LINE: with `message`; the pins are
  // unchanged.
  void expect_error_at(const std::string& text, int line, const std::string& message,
                       int f_status = 1) {
    std::string file = dir().write("f.conf", text);
    std::string before = dump();
    for (bool check : {false, true}) {
      std::vector<std::string> args{"-f", file};
      if (check) args.insert(args.begin(), "-c");
      RunResult r = xlb(args);
      EXPECT_EQ(r.status, check ? 1 : f_status) << (check ? "-c -f: " : "-f: ") << r.err;
      std::string head = file + ":" + std::to_string(line) + ":";
      EXPECT_EQ(r.err.rfind(head, 0), 0u)
          << (check ? "-c -f" : "-f") << ": not at " << head << ": " << r.err;
      EXPECT_NE(r.err.find(": error: " + message), std::string::npos) << r.err;
      EXPECT_NE(r.err.find("^"), std::string::npos) << "no caret line: " << r.err;
      EXPECT_EQ(dump(), before) << "a failed file changed the state";
    }
  }
};

std::string services(int from, int to) {
  std::string out;
  for (int i = from; i < to; i++)
    out += "service add s" + std::to_string(i) + " tcp 192.0.2.1:" + std::to_string(100 + i) + "\n";
  return out;
}

// The fixture's maps hold 32 services: the 33rd is the culprit.
TEST_F(PositionsTest, TooManyServicesIsTheStatementThatAddsOneTooMany) {
  expect_error_at("flush ruleset\n" + services(0, 40), 34, "capacity exhausted: services (32)");
}

// Services already live count: ids are not reused within one transaction.
TEST_F(PositionsTest, TooManyServicesCountsTheLiveOnes) {
  apply(services(0, 30));
  expect_error_at("# more\n" + services(30, 34), 4, "capacity exhausted: services (32)");
}

// A statement that makes the error go away again does not count.
TEST_F(PositionsTest, TheCulpritIsWhereTheErrorStartsToHoldForGood) {
  std::string text =
      "flush ruleset\n" + services(0, 33) + "service del s0\n" + services(33, 34) + "set seed 7\n";
  // s0..s32 (lines 2..34) are one too many until line 35 deletes s0; the
  // service of line 36 is one too many again, to the end of the file.
  expect_error_at(text, 36, "capacity exhausted: services (32)");
}

TEST_F(PositionsTest, NatRangeTooSmallForTheMapsIsItsSetStatement) {
  expect_error_at(
      "flush ruleset\nservice add a tcp 192.0.2.1:80\nset nat4 198.18.7.0/24\n"
      "backend add a 10.0.0.1 mac 02:00:00:00:00:0a\n",
      3, "NAT range 198.18.7.0/24 (nat4) is too small for 512 backends", 2);
}

}  // namespace
}  // namespace xlb::test
