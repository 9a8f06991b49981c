// `backend add` without `mac`: the MAC comes from the neighbour table of the
// namespace xlb runs in, resolved by ARP when missing; an address nobody
// answers for is added `unresolved` (out of the tables, named in a warning)
// and `backend refresh` brings it in and follows MAC changes.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <set>

#include <unistd.h>

#include "cli_fixture.hpp"

namespace xlb::test {

namespace {

using nlohmann::json;

class CliMacTest : public CliTest {
 protected:
  // Attached to xa0, which has 10.99.0.1/24; service web.
  void SetUp() override {
    CliTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    netns().ip({"addr", "add", "10.99.0.1/24", "dev", "xa0"});
    attach("xa0");
    xlb_ok({"service", "add", "web", "tcp", "192.0.2.10:80", "ring", "97"});
  }

  std::string mac_of(const std::string& backend) {
    json list = xlb_json({"backend", "list", "web"});
    for (const auto& b : list["backends"])
      if (b["address"] == backend) return b["mac"];
    return "";
  }

  // The backend a SYN to web goes to, by destination MAC.
  std::string sent_to_mac() {
    int prog = attached_prog_fd("xa0");
    TestRunOutput out = run_frame(prog, tcp_frame("198.51.100.1", 1000, "192.0.2.10", 80));
    // Test runs arrive on loopback, not xa0: the next hop's egress (xa0)
    // then makes it a redirect rather than XDP_TX. Either sends to the MAC.
    EXPECT_TRUE(out.action == XDP_TX || out.action == XDP_REDIRECT) << out.action;
    auto f = parse_frame(out.frame);
    return f ? f->dst.str() : "";
  }

  // SYNs from `flows` different clients: the destination MACs they were sent to.
  std::set<std::string> macs_used(int flows) {
    std::set<std::string> out;
    int prog = attached_prog_fd("xa0");
    for (int i = 0; i < flows; i++) {
      TestRunOutput o = run_frame(
          prog, tcp_frame("198.51.100." + std::to_string(1 + i), 1000 + i, "192.0.2.10", 80));
      auto f = parse_frame(o.frame);
      if ((o.action == XDP_TX || o.action == XDP_REDIRECT) && f) out.insert(f->dst.str());
    }
    return out;
  }
};

TEST_F(CliMacTest, FromAStaticNeighbour) {
  netns().ip({"neigh", "add", "10.99.0.2", "lladdr", "02:aa:bb:cc:dd:ee", "dev", "xa0", "nud",
              "permanent"});
  xlb_ok({"backend", "add", "web", "10.99.0.2"});
  EXPECT_EQ(mac_of("10.99.0.2"), "02:aa:bb:cc:dd:ee");
  EXPECT_EQ(sent_to_mac(), "02:aa:bb:cc:dd:ee");
  // A resolved MAC is not printed back (it is resolved again on apply).
  std::string rs = xlb_ok({"list", "ruleset"});
  EXPECT_NE(rs.find("backend add web 10.99.0.2 weight 1\n"), std::string::npos) << rs;
}

TEST_F(CliMacTest, ResolvedByArpFromAPeerNamespace) {
  Netns peer;
  ASSERT_TRUE(peer.ok()) << peer.error();
  netns().ip({"link", "set", "xa1", "netns", peer.name()});
  peer.ip({"addr", "add", "10.99.0.3/24", "dev", "xa1"});
  peer.ip({"link", "set", "xa1", "up"});
  std::string want = peer.link("xa1").value("address", "?");
  xlb_ok({"backend", "add", "web", "10.99.0.3"});
  EXPECT_EQ(mac_of("10.99.0.3"), want);
  EXPECT_EQ(sent_to_mac(), want);
}

TEST_F(CliMacTest, UnresolvedBackendIsAddedOutOfTheTablesAndNamed) {
  netns().ip({"neigh", "add", "10.99.0.2", "lladdr", "02:aa:bb:cc:dd:ee", "dev", "xa0", "nud",
              "permanent"});
  xlb_ok({"backend", "add", "web", "10.99.0.2"});
  RunResult r = xlb({"backend", "add", "web", "10.99.0.77"});
  EXPECT_EQ(r.status, 0) << r.describe();
  EXPECT_NE(r.err.find("xlb: warning: backend 10.99.0.77 of service web: next hop unresolved"),
            std::string::npos)
      << r.err;
  json list = xlb_json({"backend", "list", "web"});
  ASSERT_EQ(list["backends"].size(), 2u);
  EXPECT_EQ(list["backends"][0]["next_hop"], "resolved");
  EXPECT_EQ(list["backends"][1]["next_hop"], "unresolved");
  EXPECT_NE(xlb_ok({"backend", "list"}).find("unresolved"), std::string::npos);
  EXPECT_NE(xlb_ok({"service", "list"}).find("unresolved"), std::string::npos);
  std::string prom = xlb_ok({"stats", "--prometheus"});
  EXPECT_NE(prom.find("backend=\"10.99.0.77\"} 0\n"), std::string::npos) << prom;
  EXPECT_NE(prom.find("xlb_backend_resolved{service=\"web\",vip=\"192.0.2.10\",port=\"80\","
                      "proto=\"tcp\",backend=\"10.99.0.77\"} 0\n"),
            std::string::npos)
      << prom;
  // Never chosen: every new flow goes to the resolved backend.
  EXPECT_EQ(macs_used(32), std::set<std::string>{"02:aa:bb:cc:dd:ee"});
}

TEST_F(CliMacTest, RefreshResolvesFollowsAChangedMacAndKeepsStaticOnes) {
  xlb_ok({"backend", "add", "web", "10.99.0.5", "mac", "02:00:00:00:00:05"});
  xlb({"backend", "add", "web", "10.99.0.77"});  // unresolved
  netns().ip({"neigh", "replace", "10.99.0.77", "lladdr", "02:77:00:00:00:01", "dev", "xa0", "nud",
              "permanent"});
  // A neighbour entry for the static one must not change it.
  netns().ip({"neigh", "replace", "10.99.0.5", "lladdr", "02:55:00:00:00:01", "dev", "xa0", "nud",
              "permanent"});
  json r = xlb_json({"backend", "refresh"});
  ASSERT_EQ(r["changes"].size(), 1u) << r.dump();
  EXPECT_EQ(r["changes"][0]["address"], "10.99.0.77");
  EXPECT_EQ(r["changes"][0]["before"], "unresolved");
  EXPECT_EQ(r["changes"][0]["after"], "02:77:00:00:00:01");
  EXPECT_TRUE(r["unresolved"].empty());
  EXPECT_EQ(mac_of("10.99.0.77"), "02:77:00:00:00:01");
  EXPECT_EQ(mac_of("10.99.0.5"), "02:00:00:00:00:05");
  EXPECT_EQ(macs_used(32), (std::set<std::string>{"02:00:00:00:00:05", "02:77:00:00:00:01"}));
  // The MAC changes (a NIC swap): one refresh round follows it.
  netns().ip({"neigh", "replace", "10.99.0.77", "lladdr", "02:77:00:00:00:02", "dev", "xa0", "nud",
              "permanent"});
  std::string text = xlb_ok({"backend", "refresh", "web"});
  EXPECT_NE(text.find("backend 10.99.0.77 of service web: 02:77:00:00:00:01 -> 02:77:00:00:00:02"),
            std::string::npos)
      << text;
  EXPECT_EQ(macs_used(32), (std::set<std::string>{"02:00:00:00:00:05", "02:77:00:00:00:02"}));
  // Nothing changed: no transaction, nothing printed.
  EXPECT_EQ(xlb_ok({"backend", "refresh"}), "");
}

TEST_F(CliMacTest, RefreshOfAnUnknownServiceIsAnError) {
  RunResult r = xlb({"backend", "refresh", "nosuch"});
  EXPECT_NE(r.status, 0);
  EXPECT_EQ(r.err.rfind("xlb: error:", 0), 0u) << r.err;
}

// Ten backends nobody answers for: one wait for all, not ten; the file
// applies (exit 0) and names each.
TEST_F(CliMacTest, AFileWithDeadBackendsAppliesAtOnce) {
  std::string path = "/tmp/xlb-h13c-dead-" + std::to_string(getpid()) + ".conf";
  {
    std::ofstream f(path);
    f << "flush ruleset\nservice add web tcp 192.0.2.10:80 ring 97\n"
      << "backend add web 10.99.0.2 mac 02:aa:bb:cc:dd:ee\n";
    for (int i = 0; i < 10; i++) f << "backend add web 10.99.0." << 100 + i << "\n";
  }
  auto t0 = std::chrono::steady_clock::now();
  RunResult r = xlb({"-f", path});
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::remove(path.c_str());
  EXPECT_EQ(r.status, 0) << r.describe();
  EXPECT_LT(s, 6.0);
  for (int i = 0; i < 10; i++)
    EXPECT_NE(r.err.find("backend 10.99.0." + std::to_string(100 + i) + " of service web"),
              std::string::npos)
        << r.err;
  EXPECT_EQ(xlb_json({"backend", "list"})["backends"].size(), 11u);
  EXPECT_EQ(macs_used(16), std::set<std::string>{"02:aa:bb:cc:dd:ee"});
}

// A tunnel backend behind a gateway: the gateway's MAC is no part of the
// model, so a refresh round rewrites the next-hop table directly; the model
// stays as it was.
TEST_F(CliMacTest, RefreshFollowsATunnelGatewaysMacWithoutAModelChange) {
  netns().ip({"route", "add", "172.31.0.0/24", "via", "10.99.0.254", "dev", "xa0"});
  netns().ip({"neigh", "replace", "10.99.0.254", "lladdr", "02:fe:00:00:00:01", "dev", "xa0", "nud",
              "permanent"});
  xlb_ok({"set", "source4", "10.99.0.1"});
  xlb_ok({"service", "add", "tun", "tcp", "192.0.2.20:80", "ring", "97", "forward", "ipip"});
  xlb_ok({"backend", "add", "tun", "172.31.0.5"});
  auto sent_to = [&] {
    TestRunOutput o =
        run_frame(attached_prog_fd("xa0"), tcp_frame("198.51.100.1", 1000, "192.0.2.20", 80));
    EXPECT_TRUE(o.action == XDP_TX || o.action == XDP_REDIRECT) << o.action;
    auto f = parse_frame(o.frame);
    return f ? f->dst.str() : "";
  };
  EXPECT_EQ(sent_to(), "02:fe:00:00:00:01");
  std::string before = xlb_ok({"list", "ruleset"});
  netns().ip({"neigh", "replace", "10.99.0.254", "lladdr", "02:fe:00:00:00:02", "dev", "xa0", "nud",
              "permanent"});
  json r = xlb_json({"backend", "refresh"});
  ASSERT_EQ(r["changes"].size(), 1u) << r.dump();
  EXPECT_EQ(r["changes"][0]["service"], "tun");
  EXPECT_EQ(r["changes"][0]["address"], "172.31.0.5");
  EXPECT_EQ(r["changes"][0]["before"], "02:fe:00:00:00:01");
  EXPECT_EQ(r["changes"][0]["after"], "02:fe:00:00:00:02");
  EXPECT_EQ(sent_to(), "02:fe:00:00:00:02");
  EXPECT_EQ(xlb_ok({"list", "ruleset"}), before);
  // Followed: the next round finds nothing to do.
  EXPECT_EQ(xlb_ok({"backend", "refresh"}), "");
  // The entry vanishes (`ip neigh flush`): the table keeps the last MAC.
  netns().ip({"neigh", "del", "10.99.0.254", "dev", "xa0"});
  EXPECT_EQ(xlb_json({"backend", "refresh"})["changes"].size(), 0u);
  EXPECT_EQ(sent_to(), "02:fe:00:00:00:02");
  // ... and asks the kernel to resolve the gateway again: it has a
  // neighbour entry (being resolved, or failed) that nothing else made.
  RunResult n =
      run_program({"ip", "-n", netns().name(), "neigh", "show", "10.99.0.254", "dev", "xa0"});
  EXPECT_NE(n.out.find("10.99.0.254"), std::string::npos) << n.describe();
}

}  // namespace

}  // namespace xlb::test
