// `stats reset SERVICE` zeroes one service and its backends only;
// `stats --rate ... count N` prints N reports; `stats --prometheus
// --ipvs-names` adds node_exporter's node_ipvs_* families with the flow
// table's connections per backend.
#include "cli_fixture.hpp"

namespace xlb::test {

namespace {

using nlohmann::json;

class CliStatsTest : public CliTest {
 protected:
  // web (two backends) and api, each with traffic: three SYNs to web, one to api.
  void SetUp() override {
    CliTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    attach("xa0");
    xlb_ok({"service", "add", "web", "tcp", "192.0.2.10:80"});
    xlb_ok({"backend", "add", "web", "10.0.0.1", "mac", "02:be:00:00:00:01", "weight", "7"});
    xlb_ok({"service", "add", "api", "tcp", "192.0.2.20:443"});
    xlb_ok({"backend", "add", "api", "10.0.0.2", "mac", "02:be:00:00:00:02"});
    int prog = attached_prog_fd("xa0");
    ASSERT_GE(prog, 0);
    for (uint16_t port : {1000, 1001, 1002})
      ASSERT_EQ(run_frame(prog, tcp_frame("198.51.100.1", port, "192.0.2.10", 80)).action, XDP_TX);
    ASSERT_EQ(run_frame(prog, tcp_frame("198.51.100.1", 2000, "192.0.2.20", 443)).action, XDP_TX);
  }

  // packets of the service `name` and of its first backend, and global tx.
  struct Seen {
    uint64_t service, backend, tx;
  };
  Seen seen(const std::string& name) {
    json j = xlb_json({"stats"});
    for (const auto& s : j["services"])
      if (s["name"] == name) return {s["packets"], s["backends"][0]["packets"], j["global"]["tx"]};
    ADD_FAILURE() << "no service " << name << ": " << j.dump();
    return {};
  }
};

TEST_F(CliStatsTest, ResetOfOneServiceKeepsTheOthersAndTheGlobalCounters) {
  ASSERT_EQ(seen("web").service, 3u);
  ASSERT_EQ(seen("api").service, 1u);
  xlb_ok({"stats", "reset", "web"});
  Seen web = seen("web"), api = seen("api");
  EXPECT_EQ(web.service, 0u);
  EXPECT_EQ(web.backend, 0u);
  EXPECT_EQ(api.service, 1u);
  EXPECT_EQ(api.backend, 1u);
  EXPECT_EQ(web.tx, 4u) << "the global counters stay";
  xlb_ok({"stats", "reset"});
  EXPECT_EQ(seen("api").service, 0u);
  EXPECT_EQ(seen("api").tx, 0u);
}

TEST_F(CliStatsTest, ResetOfAnUnknownServiceFailsAndChangesNothing) {
  RunResult r = xlb({"stats", "reset", "nosuch"});
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("xlb: error: "), std::string::npos) << r.describe();
  EXPECT_EQ(seen("web").service, 3u);
}

TEST_F(CliStatsTest, RateRepeatsCountTimes) {
  RunResult r = xlb({"-j", "stats", "web", "--rate", "interval", "100", "count", "3"});
  ASSERT_EQ(r.status, 0) << r.describe();
  size_t lines = 0;
  for (size_t at = 0; (at = r.out.find('\n', at)) != std::string::npos; at++) lines++;
  EXPECT_EQ(lines, 3u) << r.out;
  json first = json::parse(r.out.substr(0, r.out.find('\n')));
  EXPECT_EQ(first["services"][0]["pps"], 0u) << "no traffic during the interval";
  EXPECT_EQ(first["services"][0]["packets"], 3u);
  std::string text = xlb_ok({"stats", "--rate", "interval", "100", "count", "2"});
  size_t headers = 0;
  for (size_t at = 0; (at = text.find("CPS", at)) != std::string::npos; at++) headers++;
  EXPECT_EQ(headers, 2u) << text;
}

TEST_F(CliStatsTest, IpvsNamesFollowNodeExporter) {
  std::string plain = xlb_ok({"stats", "--prometheus"});
  EXPECT_EQ(plain.find("node_ipvs_"), std::string::npos) << "only when asked";
  std::string prom = xlb_ok({"stats", "--prometheus", "--ipvs-names"});
  const std::string labels =
      "{local_address=\"192.0.2.10\",local_port=\"80\",remote_address=\"10.0.0.1\","
      "remote_port=\"80\",proto=\"TCP\"}";
  const std::vector<std::string> lines = {
      "node_ipvs_connections_total 4\n",
      "node_ipvs_incoming_packets_total 4\n",
      "node_ipvs_outgoing_packets_total 0\n",
      "# TYPE node_ipvs_backend_weight gauge\n",
      "node_ipvs_backend_weight" + labels + " 7\n",
      "node_ipvs_backend_connections_active" + labels + " 0\n",
      "node_ipvs_backend_connections_inactive" + labels + " 3\n",
      "xlb_vip_packets_total{service=\"web\",vip=\"192.0.2.10\",port=\"80\",proto=\"tcp\"} 3\n"};
  for (const auto& line : lines)
    EXPECT_NE(prom.find(line), std::string::npos) << line << "in:\n" << prom;
}

}  // namespace

}  // namespace xlb::test
