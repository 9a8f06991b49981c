// Multiport services through the real binary: `service add web tcp
// 192.0.2.10:80,443,8000-8099` is listed, printed back and applied back
// unchanged (the round trip), shown in -j as `ports` next to `port` and in
// the Prometheus labels; overlapping ports with another service of the
// VIP and protocol fail the command or file and change nothing; `service
// set ... ports` moves the attached program's ports in one command.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "cli_fixture.hpp"

namespace xlb::test {

namespace {

using nlohmann::json;

class CliMultiportTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    // 256 service map entries per bank: the 102 ports of web fit twice.
    xlb_ok({"interface", "attach", "xa0", "mode", "native", "services", "128", "backends", "512",
            "flows", "4096"});
    xlb_ok({"service", "add", "web", "tcp", "192.0.2.10:8000-8099,443,80"});
    xlb_ok({"backend", "add", "web", "10.99.0.11", "mac", "02:be:00:00:00:11"});
  }

  // What the attached program does with a SYN to 192.0.2.10:port.
  uint32_t action(uint16_t port) {
    return run_frame(attached_prog_fd("xa0"), tcp_frame("198.51.100.7", 40000, "192.0.2.10", port))
        .action;
  }

  // A ruleset file of the test's own, removed by the destructor.
  std::string write_file(const std::string& text) {
    file_ = "/tmp/xlbM-multiport-" + std::to_string(getpid()) + ".conf";
    std::ofstream(file_) << text;
    return file_;
  }
  void TearDown() override {
    if (!file_.empty()) std::remove(file_.c_str());
    CliTest::TearDown();
  }

  void expect_refused(const Args& args, const std::string& message) {
    const std::string before = state_dump();
    RunResult r = xlb(args);
    EXPECT_EQ(r.status, 1) << r.describe();
    EXPECT_NE(r.err.find(message), std::string::npos) << r.describe();
    EXPECT_EQ(state_dump(), before);
  }

 private:
  std::string file_;
};

TEST_F(CliMultiportTest, ListedPrintedAndShownInJson) {
  const std::string ruleset = xlb_ok({"list", "ruleset"});
  EXPECT_NE(ruleset.find("service add web tcp 192.0.2.10:80,443,8000-8099 sched mh\n"),
            std::string::npos)
      << ruleset;
  EXPECT_NE(xlb_ok({"service", "list"}).find("TCP  192.0.2.10:80,443,8000-8099 "),
            std::string::npos)
      << xlb_ok({"service", "list"});
  json s = xlb_json({"service", "list", "web"})["services"][0];
  EXPECT_EQ(s["port"], 80);
  EXPECT_EQ(s["ports"], json::parse("[80, 443, [8000, 8099]]"));
  // A port of the set names the service, as the first does.
  EXPECT_EQ(xlb_json({"service", "list", "tcp", "192.0.2.10:8050"})["services"][0]["name"], "web");
  EXPECT_NE(xlb_ok({"stats", "--prometheus"}).find("port=\"80,443,8000-8099\""), std::string::npos);
  // A single-port service keeps its plain `port` and a one-port list.
  xlb_ok({"service", "add", "dns", "udp", "192.0.2.10:53"});
  json d = xlb_json({"service", "list", "dns"})["services"][0];
  EXPECT_EQ(d["port"], 53);
  EXPECT_EQ(d["ports"], json::parse("[53]"));
}

TEST_F(CliMultiportTest, RulesetRoundTripIsTheIdentity) {
  xlb_ok({"service", "add", "v6", "udp", "[2001:db8::10]:53,5353-5355", "sched", "sh"});
  const std::string before = xlb_ok({"list", "ruleset"});
  EXPECT_NE(before.find("service add v6 udp [2001:db8::10]:53,5353-5355 sched sh\n"),
            std::string::npos)
      << before;
  xlb_ok({"-f", write_file(before)});
  EXPECT_EQ(xlb_ok({"list", "ruleset"}), before);
  EXPECT_EQ(action(8099), static_cast<uint32_t>(XDP_TX));
}

TEST_F(CliMultiportTest, OverlappingPortsFailClearlyAndChangeNothing) {
  expect_refused({"service", "add", "api", "tcp", "192.0.2.10:8050"},
                 "xlb: error: service tcp 192.0.2.10:8050 overlaps service web (tcp "
                 "192.0.2.10:80,443,8000-8099) on port 8050");
  expect_refused({"service", "add", "api", "tcp", "192.0.2.10:444,8099-8100"}, "on port 8099");
  expect_refused({"service", "add", "api", "tcp", "192.0.2.10:80,443,8000-8099"},
                 "service tcp 192.0.2.10:80,443,8000-8099 already exists as web");
  xlb_ok({"service", "add", "api", "tcp", "192.0.2.10:8100-8199"});
  expect_refused({"service", "set", "api", "ports", "8099-8100"}, "on port 8099");
  // In a file: refused at its statement, and the whole file changes nothing.
  const std::string before = state_dump();
  RunResult r = xlb({"-f", write_file("service add ok tcp 192.0.2.11:80\n"
                                      "service add bad tcp 192.0.2.10:22,443\n")});
  EXPECT_EQ(r.status, 1) << r.describe();
  EXPECT_NE(r.err.find(":2:"), std::string::npos) << r.describe();
  EXPECT_NE(r.err.find("overlaps service web"), std::string::npos) << r.describe();
  EXPECT_EQ(state_dump(), before);
  // Another protocol or VIP may have the same ports.
  xlb_ok({"service", "add", "u", "udp", "192.0.2.10:80,443,8050"});
  xlb_ok({"service", "add", "w2", "tcp", "192.0.2.11:80,443"});
}

TEST_F(CliMultiportTest, SetPortsMovesTheProgramsPortsInOneCommand) {
  EXPECT_EQ(action(8050), static_cast<uint32_t>(XDP_TX));
  EXPECT_EQ(action(444), static_cast<uint32_t>(XDP_DROP));
  xlb_ok({"service", "set", "web", "ports", "80,443,444"});
  EXPECT_EQ(action(8050), static_cast<uint32_t>(XDP_DROP));
  EXPECT_EQ(action(444), static_cast<uint32_t>(XDP_TX));
  EXPECT_EQ(action(443), static_cast<uint32_t>(XDP_TX));
  xlb_ok({"service", "set", "web", "ports", "80"});
  EXPECT_EQ(xlb_json({"service", "list", "web"})["services"][0]["ports"], json::parse("[80]"));
  EXPECT_EQ(action(443), static_cast<uint32_t>(XDP_DROP));
  EXPECT_NE(xlb_ok({"list", "ruleset"}).find("service add web tcp 192.0.2.10:80 sched mh\n"),
            std::string::npos);
  RunResult bad = xlb({"service", "set", "web", "ports", "90-80"});
  EXPECT_EQ(bad.status, 2) << bad.describe();
  EXPECT_NE(bad.err.find("invalid ports '90-80': range 90-80 ends before it starts"),
            std::string::npos)
      << bad.describe();
}

TEST_F(CliMultiportTest, MoreEntriesThanTheServiceMapHoldsAreRefused) {
  expect_refused({"service", "add", "all", "tcp", "192.0.2.12:1-65535"},
                 "capacity exhausted: the services' ports and VIPs need");
}

}  // namespace
}  // namespace xlb::test
