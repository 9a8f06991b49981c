// `xlb -c -f FILE`: the whole validation path of `-f`, no change, and
// status 1 on any failure; `-f` itself keeps 2 for a malformed file.
#include <filesystem>
#include <string>

#include "ruleset_fixture.hpp"

namespace xlb::test {
namespace {

const std::string kGood =
    "flush ruleset\n"
    "define VIP = 192.0.2.10\n"
    "service add web tcp $VIP:80 ring 13\n"
    "backend add web 10.0.0.1 mac 02:00:00:00:00:0a\n";

struct BadFile {
  const char* name;
  std::string text;
  int f_status;  // what `-f` says; `-c -f` always says 1
};

const BadFile kBadFiles[] = {
    {"lexer", "service add web tcp \"192.0.2.10:80\n", 2},
    {"variable", "service add web tcp $NOPE:80\n", 2},
    {"grammar", "service add web tcp 192.0.2.10:80 ring 12\n", 2},
    {"not-an-edit", "service list\n", 2},
    {"unknown-service", "backend add nosuch 10.0.0.1 mac 02:00:00:00:00:0a\n", 1},
    {"duplicate", "flush ruleset\nservice add a tcp 192.0.2.1:80\nservice add b tcp 192.0.2.1:80\n",
     1},
    {"too-many-backends",
     "flush ruleset\nservice add a tcp 192.0.2.1:80 ring 7\n"
     "backend add a 10.0.0.1 mac 02:00:00:00:00:01\nbackend add a 10.0.0.2 mac 02:00:00:00:00:02\n"
     "backend add a 10.0.0.3 mac 02:00:00:00:00:03\nbackend add a 10.0.0.4 mac 02:00:00:00:00:04\n"
     "backend add a 10.0.0.5 mac 02:00:00:00:00:05\nbackend add a 10.0.0.6 mac 02:00:00:00:00:06\n"
     "backend add a 10.0.0.7 mac 02:00:00:00:00:07\nbackend add a 10.0.0.8 mac 02:00:00:00:00:08\n",
     2},
};

// Without pins -c checks against an empty configuration: no root needed.
TEST(CheckWithoutPins, GoodAndBadFiles) {
  TempDir dir;
  std::string nowhere = dir.path() + "/no-pins";
  RunResult r = run_xlb({"--pin-path", nowhere, "-c", "-f", dir.write("good.conf", kGood)});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "");
  for (const auto& bad : kBadFiles) {
    std::string f = dir.write(std::string(bad.name) + ".conf", bad.text);
    r = run_xlb({"--pin-path", nowhere, "-c", "-f", f});
    EXPECT_EQ(r.status, 1) << bad.name << ": " << r.err;
    // After -c's note that nothing is attached (when the file got that far),
    // the error names FILE:LINE.
    std::string err = r.err;
    if (err.rfind("xlb: note: ", 0) == 0) err = err.substr(err.find('\n') + 1);
    EXPECT_EQ(err.rfind(f + ":", 0), 0u) << bad.name << ": " << r.err;
    EXPECT_NE(r.err.find(": error: "), std::string::npos) << r.err;
  }
}

// Every ruleset shipped in examples/ is valid as it stands: the docs point
// operators at them.
TEST(CheckWithoutPins, ShippedExamplesCheck) {
  namespace fs = std::filesystem;
  fs::path examples = fs::path(__FILE__).parent_path() / ".." / ".." / "examples";
  TempDir dir;
  int checked = 0;
  for (const auto& e : fs::directory_iterator(examples)) {
    const std::string name = e.path().filename().string();
    if (e.path().extension() != ".conf" || name.starts_with("bird")) continue;
    RunResult r = run_xlb({"--pin-path", dir.path() + "/no-pins", "-c", "-f", e.path().string()});
    EXPECT_EQ(r.status, 0) << name << ": " << r.err;
    checked++;
  }
  EXPECT_GE(checked, 4);
}

TEST(CheckWithoutPins, UsageOfTheFlagsStaysStatus2) {
  RunResult r = run_xlb({"-c"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("xlb: error: -c checks a file"), std::string::npos) << r.err;
  r = run_xlb({"-c", "-f", "x.conf", "service", "list"});
  EXPECT_EQ(r.status, 2) << r.err;
}

TEST(CheckWithoutPins, MissingFileIsAFailedCheck) {
  RunResult r = run_xlb({"-c", "-f", "/nonexistent/xlb.conf"});
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.err.find("/nonexistent/xlb.conf"), std::string::npos) << r.err;
}

TEST(CheckWithoutPins, JsonErrorsToo) {
  TempDir dir;
  std::string f = dir.write("bad.conf", kBadFiles[2].text);
  RunResult r = run_xlb({"-j", "--pin-path", dir.path() + "/none", "-c", "-f", f});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE((r.out + r.err).find("ring size 12 is not a prime"), std::string::npos)
      << r.out << r.err;
}

class Check : public PinnedTest {};

TEST_F(Check, ChecksAgainstTheLiveConfigurationAndChangesNothing) {
  apply(kGood);
  std::string before = dump();
  TempDir dir;
  // Without `flush ruleset` a file edits the live configuration.
  std::string edit = dir.write("edit.conf", "backend add web 10.0.0.2 mac 02:00:00:00:00:0b\n");
  RunResult r = xlb({"-c", "-f", edit});
  EXPECT_EQ(r.status, 0) << r.err;
  std::string clash = dir.write("clash.conf", "service add web tcp 192.0.2.11:80\n");
  r = xlb({"-c", "-f", clash});
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_EQ(r.err, clash + ":1:13: error: service web already exists\n" +
                       "service add web tcp 192.0.2.11:80\n" + "            ^~~\n");
  EXPECT_EQ(dump(), before);
}

TEST_F(Check, FileStatusesWithAndWithoutCheck) {
  apply(kGood);
  std::string before = dump();
  TempDir dir;
  for (const auto& bad : kBadFiles) {
    std::string f = dir.write(std::string(bad.name) + ".conf", bad.text);
    RunResult c = xlb({"-c", "-f", f});
    RunResult a = xlb({"-f", f});
    EXPECT_EQ(c.status, 1) << bad.name << ": " << c.err;
    EXPECT_EQ(a.status, bad.f_status) << bad.name << ": " << a.err;
    // The same validation path: the same message.
    EXPECT_EQ(c.err, a.err) << bad.name;
    EXPECT_EQ(dump(), before) << bad.name;
  }
}

TEST_F(Check, BackendsWithoutMacNeedNoNeighbourToCheck) {
  TempDir dir;
  // 192.0.2.0/24 is TEST-NET: no neighbour will ever answer; -c must not ask.
  std::string f = dir.write("nomac.conf",
                            "flush ruleset\nservice add web tcp 192.0.2.10:80\n"
                            "backend add web 192.0.2.200\n");
  RunResult r = xlb({"-c", "-f", f});
  EXPECT_EQ(r.status, 0) << r.err;
}

}  // namespace
}  // namespace xlb::test
