// Tunnel words through the real binary and real pins: `forward METHOD
// [port P]` and `set source4|source6|gateway4|gateway6`, listed back as
// they were given and applied back identically; errors at their word;
// backends on no link need no MAC.
#include <nlohmann/json.hpp>

#include "config/ruleset.hpp"
#include "ruleset_fixture.hpp"

namespace xlb::test {
namespace {

// Canonical: what `xlb list ruleset` prints for it.
const char* const kTunnels =
    "flush ruleset\n"
    "set source4 198.51.100.7\n"
    "set source6 2001:db8:ff::7\n"
    "set gateway4 198.51.100.1\n"
    "set gateway6 fe80::1\n"
    "service add a tcp 192.0.2.10:80 sched mh forward ipip\n"
    "backend add a 203.0.113.1 weight 1\n"
    "backend add a 2001:db8:77::1 weight 1\n"
    "service add b udp [2001:db8::53]:53 sched sh forward gre\n"
    "backend add b 203.0.113.2 weight 2\n"
    "service add c tcp 192.0.2.11:443 sched mh forward gue port 7000\n"
    "backend add c 2001:db8:77::3 weight 1\n"
    "service add d tcp 192.0.2.12 sched mh forward fou\n"
    "backend add d 203.0.113.4 weight 1\n"
    "service add e tcp 192.0.2.13:80 sched mh forward gue\n";

class TunnelRuleset : public PinnedTest {};

TEST_F(TunnelRuleset, ListsBackAsGivenAndAppliesBackIdentically) {
  apply(kTunnels);
  EXPECT_EQ(list_ruleset(), kTunnels);
  apply(list_ruleset());
  EXPECT_EQ(list_ruleset(), kTunnels);
  Config c = live();
  ASSERT_EQ(c.services.size(), 5u);
  EXPECT_EQ(c.services[2].forward, Forward::gue);
  EXPECT_EQ(c.services[2].forward_port, 7000);
  EXPECT_EQ(c.services[3].tunnel_port(), 5555);
  EXPECT_EQ(c.services[4].tunnel_port(), 6080);
  for (const auto& s : c.services)
    for (const auto& b : s.backends) EXPECT_TRUE(b.mac.is_zero()) << "no MAC for " << b.addr.str();
}

TEST_F(TunnelRuleset, JsonShowsTheSettingsAndThePorts) {
  apply(kTunnels);
  RunResult r = xlb({"-j", "list", "ruleset"});
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["settings"]["source4"], "198.51.100.7");
  EXPECT_EQ(j["settings"]["source6"], "2001:db8:ff::7");
  EXPECT_EQ(j["settings"]["gateway4"], "198.51.100.1");
  EXPECT_EQ(j["settings"]["gateway6"], "fe80::1");
  r = xlb({"-j", "service", "list"});
  ASSERT_EQ(r.status, 0) << r.err;
  j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["services"][0]["forward"], "ipip");
  EXPECT_EQ(j["services"][0]["forward_port"], 0);
  EXPECT_EQ(j["services"][2]["forward_port"], 7000);
  EXPECT_EQ(j["services"][3]["forward_port"], 5555);
}

TEST_F(TunnelRuleset, UnsettingANeededSourceChangesNothing) {
  apply(kTunnels);
  std::string before = dump();
  RunResult r = xlb({"set", "source6", "none"});
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_EQ(r.err,
            "xlb: error: backend 2001:db8:77::1 of service a: forward ipip needs an outer "
            "source address (xlb set source6 ADDR)\n");
  EXPECT_EQ(dump(), before);
  r = xlb({"set", "gateway6", "none"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(live().settings.gateway6, std::nullopt);
}

TEST_F(TunnelRuleset, ErrorsShowTheirWord) {
  std::string f = dir().write("order.conf",
                              "flush ruleset\n"
                              "service add a tcp 192.0.2.10:80 forward gre\n"
                              "backend add a 203.0.113.1\n"
                              "set source4 198.51.100.7\n");
  RunResult r = xlb({"-f", f});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, f + ":3:13: error: backend 203.0.113.1 of service a: forward gre needs an "
                       "outer source address (xlb set source4 ADDR)\n"
                       "backend add a 203.0.113.1\n"
                       "            ^\n");
  f = dir().write("port.conf", "service add a tcp 192.0.2.10:80 forward ipip port 4\n");
  r = xlb({"-f", f});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, f + ":1:46: error: forward ipip takes no port (only gue and fou do)\n"
                       "service add a tcp 192.0.2.10:80 forward ipip port 4\n"
                       "                                             ^~~~\n");
  f = dir().write("family.conf", "set source4 2001:db8::1\n");
  r = xlb({"-f", f});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, f + ":1:13: error: source4 must be an IPv4 address\n"
                       "set source4 2001:db8::1\n"
                       "            ^~~~~~~~~~~\n");
  EXPECT_EQ(list_ruleset(), "flush ruleset\n") << "nothing applied";
}

}  // namespace
}  // namespace xlb::test
