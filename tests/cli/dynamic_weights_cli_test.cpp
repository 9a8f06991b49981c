// Dynamic weights through the real binaries: `service add ... weights
// flows` is listed, printed back and shown in -j; the effective weights sit
// next to the configured ones; one round of the real xlb-healthd (--once)
// lowers the effective weight of the backend that holds the live flows, and
// new flows then avoid it; `weights static` goes back to the configured ones.
#include <cstdio>
#include <fstream>
#include <map>
#include <string>

#include <unistd.h>

#include "cli_fixture.hpp"

namespace xlb::test {

namespace {

using nlohmann::json;

class CliDynamicWeightsTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    netns().ip({"addr", "add", "10.99.0.1/24", "dev", "xa0"});
    attach("xa0");
    xlb_ok({"service", "add", "web", "tcp", "192.0.2.10:80", "weights", "flows"});
    xlb_ok({"backend", "add", "web", "10.99.0.11", "mac", "02:be:00:00:00:11"});
  }

  std::map<std::string, json> backends() {
    std::map<std::string, json> out;
    const json list = xlb_json({"backend", "list", "web"});
    for (const auto& b : list["backends"]) out[b["address"].get<std::string>()] = b;
    return out;
  }

  // SYN then ACK from clients [first, first + n): where the SYNs went, by MAC.
  std::map<std::string, int> connect(int first, int n) {
    std::map<std::string, int> to;
    const int prog = attached_prog_fd("xa0");
    for (int i = first; i < first + n; i++) {
      std::string client =
          "198.51." + std::to_string(100 + i / 250) + "." + std::to_string(1 + i % 250);
      auto uport = static_cast<uint16_t>(1000 + i);
      auto f = parse_frame(run_frame(prog, tcp_frame(client, uport, "192.0.2.10", 80)).frame);
      if (f) to[f->dst.str()]++;
      run_frame(prog, tcp_frame(client, uport, "192.0.2.10", 80, kTcpAck));
    }
    return to;
  }

  RunResult healthd_once() {
    return run_program({"nsenter", "--net=" + netns().path(), XLB_HEALTHD_BINARY, "--pin-path",
                        pin_path(), "--once"},
                       60);
  }
};

TEST_F(CliDynamicWeightsTest, ListedPrintedAndShownInJson) {
  EXPECT_NE(
      xlb_ok({"list", "ruleset"}).find("service add web tcp 192.0.2.10:80 sched mh weights flows"),
      std::string::npos);
  EXPECT_NE(xlb_ok({"service", "list"}).find("(weights flows)"), std::string::npos);
  EXPECT_NE(xlb_ok({"backend", "list", "web"}).find(" 1/100 "), std::string::npos)
      << xlb_ok({"backend", "list", "web"});
  json s = xlb_json({"service", "list", "web"})["services"][0];
  EXPECT_EQ(s["weights"], "flows");
  auto b = backends();
  EXPECT_EQ(b["10.99.0.11"]["weight"], 1);
  EXPECT_EQ(b["10.99.0.11"]["effective_weight"], 100);

  xlb_ok({"service", "set", "web", "weights", "static"});
  EXPECT_EQ(xlb_ok({"list", "ruleset"}).find("weights"), std::string::npos);
  EXPECT_EQ(backends()["10.99.0.11"]["effective_weight"], 1);
  RunResult bad = xlb({"service", "set", "web", "weights", "lc"});
  EXPECT_EQ(bad.status, 2) << bad.describe();
  EXPECT_NE(bad.err.find("invalid weights 'lc'"), std::string::npos) << bad.describe();
}

TEST_F(CliDynamicWeightsTest, HealthdLowersTheLoadedBackend) {
  // 60 live connections on .11, then two idle backends join.
  EXPECT_EQ(connect(0, 60)["02:be:00:00:00:11"], 60);
  xlb_ok({"backend", "add", "web", "10.99.0.12", "mac", "02:be:00:00:00:12"});
  xlb_ok({"backend", "add", "web", "10.99.0.13", "mac", "02:be:00:00:00:13"});
  RunResult r = healthd_once();
  ASSERT_EQ(r.status, 0) << r.describe();
  EXPECT_NE(r.err.find("dynamic weights (flows) of service web: 10.99.0.11 34 10.99.0.12 1000 "
                       "10.99.0.13 1000"),
            std::string::npos)
      << r.describe();
  auto b = backends();
  EXPECT_EQ(b["10.99.0.11"]["effective_weight"], 34);
  EXPECT_EQ(b["10.99.0.12"]["effective_weight"], 1000);
  EXPECT_NE(xlb_ok({"backend", "list", "web"}).find(" 1/34 "), std::string::npos);
  // Applying the ruleset back keeps them, as it keeps health.
  const std::string file = "/tmp/xlb-dw-" + std::to_string(getpid()) + ".conf";
  std::ofstream(file) << xlb_ok({"list", "ruleset"});
  xlb_ok({"-f", file});
  std::remove(file.c_str());
  EXPECT_EQ(backends()["10.99.0.11"]["effective_weight"], 34);
  // A second round with the same load does not rewrite (hysteresis).
  r = healthd_once();
  ASSERT_EQ(r.status, 0) << r.describe();
  EXPECT_EQ(r.err.find("dynamic weights"), std::string::npos) << r.describe();
  // New flows avoid the loaded backend...
  auto to = connect(1000, 300);
  std::printf("new flows: .11 %d, .12 %d, .13 %d\n", to["02:be:00:00:00:11"],
              to["02:be:00:00:00:12"], to["02:be:00:00:00:13"]);
  EXPECT_LT(to["02:be:00:00:00:11"] * 5, to["02:be:00:00:00:12"]);
  EXPECT_LT(to["02:be:00:00:00:11"] * 5, to["02:be:00:00:00:13"]);
  // ...until the load evens out: the next round gives it more again.
  r = healthd_once();
  ASSERT_EQ(r.status, 0) << r.describe();
  EXPECT_GT(backends()["10.99.0.11"]["effective_weight"].get<int>(), 100) << r.describe();
}

}  // namespace

}  // namespace xlb::test
