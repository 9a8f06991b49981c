// `backend add` without `mac`: the MAC comes from the neighbour table of the
// namespace xlb runs in, resolved by ARP when missing; an address nobody
// answers for is an error that changes nothing.
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
    EXPECT_EQ(out.action, XDP_TX);
    auto f = parse_frame(out.frame);
    return f ? f->dst.str() : "";
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

TEST_F(CliMacTest, UnresolvableAddressFailsAndChangesNothing) {
  std::string before = state_dump();
  RunResult r = xlb({"backend", "add", "web", "10.99.0.77"});
  EXPECT_EQ(r.status, 1) << r.describe();
  EXPECT_EQ(r.err.rfind("xlb: error: cannot resolve the MAC address of 10.99.0.77", 0), 0u)
      << r.err;
  EXPECT_NE(r.err.find("mac"), std::string::npos) << "should say how to give it: " << r.err;
  EXPECT_EQ(state_dump(), before);
}

}  // namespace

}  // namespace xlb::test
