// The audit trail: the real binary sends its syslog lines to a datagram
// socket of the test's own (XLB_AUDIT_SOCKET); one line per change, none
// for reads, checks and failures.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "cli_fixture.hpp"

namespace xlb::test {

namespace {

class AuditTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    path_ = "/tmp/xlb-audit-x21a-" + std::to_string(getpid()) + ".sock";
    unlink(path_.c_str());
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd_, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path_.c_str());
    ASSERT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    setenv("XLB_AUDIT_SOCKET", path_.c_str(), 1);
  }
  void TearDown() override {
    unsetenv("XLB_AUDIT_SOCKET");
    if (fd_ >= 0) close(fd_);
    if (!path_.empty()) unlink(path_.c_str());
    CliTest::TearDown();
  }

  // Every line sent so far (the sender has exited: nothing is in flight).
  std::vector<std::string> lines() {
    std::vector<std::string> out;
    char buf[8192];
    for (ssize_t n; (n = recv(fd_, buf, sizeof buf, MSG_DONTWAIT)) > 0;)
      out.emplace_back(buf, static_cast<size_t>(n));
    return out;
  }

  std::string path_;
  int fd_ = -1;
};

void expect_has(const std::string& line, const std::string& what) {
  EXPECT_NE(line.find(what), std::string::npos) << "'" << what << "' not in: " << line;
}

TEST_F(AuditTest, EachChangeLogsOneLineWithWhatWhoAndTheCommand) {
  attach("xa0");
  auto l = lines();
  ASSERT_EQ(l.size(), 1u);
  expect_has(l[0], "interface attach xa0; by root (uid 0)");
  xlb_ok({"se", "a", "web", "tcp", "192.0.2.10:80"});
  l = lines();
  ASSERT_EQ(l.size(), 1u);
  // authpriv.notice, ident xlb with its pid, as syslog(3) frames it.
  EXPECT_EQ(l[0].rfind("<85>", 0), 0u) << l[0];
  expect_has(l[0], " xlb[");
  expect_has(l[0], "]: service add web; by root (uid 0)");
  expect_has(l[0], "; command: " + std::string(XLB_BINARY) + " --pin-path " + pin_path() +
                       " se a web tcp 192.0.2.10:80");
  xlb_ok({"backend", "add", "web", "10.0.0.1", "mac", "02:00:00:00:00:01"});
  xlb_ok({"backend", "disable", "web", "10.0.0.1"});
  xlb_ok({"flows", "flush"});
  l = lines();
  ASSERT_EQ(l.size(), 3u);
  expect_has(l[0], "]: backend add web 10.0.0.1; ");
  expect_has(l[1], "]: backend disable web 10.0.0.1; ");
  expect_has(l[2], "]: flows flush; ");
}

TEST_F(AuditTest, ReadsChecksAndFailuresLogNothing) {
  attach("xa0");
  xlb_ok({"service", "add", "web", "tcp", "192.0.2.10:80"});
  (void)lines();
  for (const Args& read : {Args{"service", "list"}, Args{"interface", "list"},
                           Args{"list", "ruleset"}, Args{"stats"}, Args{"flows", "count"}})
    xlb_ok(read);
  EXPECT_TRUE(lines().empty()) << lines().front();
  RunResult r = xlb({"service", "add", "web", "tcp", "192.0.2.11:80"});  // the name is taken
  EXPECT_NE(r.status, 0);
  r = xlb({"interface", "attach", "xa0", "flows", "9999"});  // other capacities
  EXPECT_NE(r.status, 0);
  std::string file = "/tmp/xlb-audit-x21a-" + std::to_string(getpid()) + ".conf";
  std::ofstream(file) << "service add api tcp 192.0.2.12:80\n";
  r = xlb({"-c", "-f", file});
  EXPECT_EQ(r.status, 0) << r.describe();
  auto l = lines();
  EXPECT_TRUE(l.empty()) << l.size() << " lines, the first: " << (l.empty() ? "" : l[0]);
  unlink(file.c_str());
}

TEST_F(AuditTest, AnAppliedFileLogsOneLine) {
  attach("xa0");
  (void)lines();
  std::string file = "/tmp/xlb-audit-x21a-" + std::to_string(getpid()) + ".conf";
  std::ofstream(file) << "flush ruleset\nservice add api tcp 192.0.2.12:80\n"
                         "backend add api 10.0.0.2 mac 02:00:00:00:00:02\n";
  xlb_ok({"-f", file});
  unlink(file.c_str());
  auto l = lines();
  ASSERT_EQ(l.size(), 1u);
  expect_has(l[0], "]: ruleset " + file + " applied (2 ruleset lines added, 0 removed); by root");
  expect_has(l[0],
             "; command: " + std::string(XLB_BINARY) + " --pin-path " + pin_path() + " -f " + file);
}

}  // namespace

}  // namespace xlb::test
