// Multiport services without the kernel: the port-set syntax, the grammar
// of `service add NAME PROTO VIP:PORTS` and `service set ... ports`, the
// model's conflict rule, the printed ruleset, the store and the count of
// service map entries a set costs.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include "apply_text.hpp"
#include "config/command.hpp"
#include "config/lexer.hpp"
#include "config/ruleset.hpp"
#include "model/capacities.hpp"
#include "model/ops.hpp"
#include "words.hpp"

namespace xlb {
namespace {

using test::split;

Config apply(const std::string& text) {
  Config c;
  SourceError err;
  auto stmts = lex_text(text, "t.conf", &err);
  EXPECT_TRUE(stmts) << text;
  auto cmds = stmts ? parse_ruleset(*stmts, &err) : Result<std::vector<RulesetCommand>>(Error{});
  EXPECT_TRUE(cmds) << err.message;
  if (!cmds) return c;
  Status st = apply_ruleset(c, *cmds, &err);
  EXPECT_TRUE(st) << err.message;
  return c;
}

using test::apply_status;

TEST(PortSet, ParsesSortsAndMerges) {
  EXPECT_EQ(ports_str(*parse_ports("8000-8099,443,80")), "80,443,8000-8099");
  EXPECT_EQ(ports_str(*parse_ports("80,81,82")), "80-82");
  EXPECT_EQ(ports_str(*parse_ports("100-200,150-250,251")), "100-251");
  EXPECT_EQ(ports_str(*parse_ports("443,443")), "443");
  EXPECT_EQ(ports_str(*parse_ports("1-65535")), "1-65535");
  EXPECT_EQ(port_count(*parse_ports("80,443,8000-8099")), 102u);
}

TEST(PortSet, RefusesWhatIsNoPort) {
  for (const char* bad : {"", ",", "80,", ",80", "0", "0-10", "65536", "90-80", "80-", "-80", "a",
                          "80;443", "80--90", "1-2-3"}) {
    std::string why;
    EXPECT_FALSE(parse_ports(bad, &why)) << bad;
    EXPECT_FALSE(why.empty()) << bad;
  }
  std::string why;
  parse_ports("90-80", &why);
  EXPECT_EQ(why, "range 90-80 ends before it starts");
  parse_ports("80,0", &why);
  EXPECT_EQ(why, "'0' is not a port (1 to 65535)");
}

TEST(PortSet, CommonPort) {
  EXPECT_EQ(first_common_port(*parse_ports("80,443"), *parse_ports("8000-8099")), std::nullopt);
  EXPECT_EQ(first_common_port(*parse_ports("80,8050"), *parse_ports("8000-8099")), 8050);
  EXPECT_EQ(first_common_port(*parse_ports("7990-8010"), *parse_ports("8000-8099")), 8000);
}

TEST(MultiportGrammar, ServiceAddTakesPortsInItsVip) {
  auto c = parse_command(split("service add web tcp 192.0.2.10:80,443,8000-8099 sched sh"));
  ASSERT_TRUE(c) << c.error().message;
  const Service& s = std::get<cmd::ServiceAdd>(*c).service;
  EXPECT_EQ(s.port, 80);
  EXPECT_EQ(ports_str(s.ports), "80,443,8000-8099");
  EXPECT_EQ(s.sched, Sched::sh);
  EXPECT_EQ(s.spec(), "tcp 192.0.2.10:80,443,8000-8099");

  auto v6 = parse_command(split("service add dns udp [2001:db8::10]:53,5353"));
  ASSERT_TRUE(v6) << v6.error().message;
  EXPECT_EQ(std::get<cmd::ServiceAdd>(*v6).service.spec(), "udp [2001:db8::10]:53,5353");
  // One port however written: no set.
  auto one = parse_command(split("service add web tcp 192.0.2.10:80-80"));
  ASSERT_TRUE(one);
  EXPECT_EQ(std::get<cmd::ServiceAdd>(*one).service.port, 80);
  EXPECT_TRUE(std::get<cmd::ServiceAdd>(*one).service.ports.empty());
}

TEST(MultiportGrammar, ServiceSetPorts) {
  auto c = parse_command(split("service set web ports 8000-8099,80"));
  ASSERT_TRUE(c) << c.error().message;
  const auto& set = std::get<cmd::ServiceSet>(*c);
  ASSERT_TRUE(set.change.ports);
  EXPECT_EQ(ports_str(*set.change.ports), "80,8000-8099");
}

TEST(MultiportModel, OverlapsOnOneVipAndProtoConflict) {
  Config c = apply("service add web tcp 192.0.2.10:80,443,8000-8099\n");
  Status st = apply_status(c, "service add api tcp 192.0.2.10:22,8050\n");
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("service tcp 192.0.2.10:22,8050 overlaps service web (tcp "
                                    "192.0.2.10:80,443,8000-8099) on port 8050"),
            std::string::npos)
      << st.error().message;
  st = apply_status(c, "service add api tcp 192.0.2.10:443\n");
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("on port 443"), std::string::npos) << st.error().message;
  // Other protocol, other VIP, every port (port 0), free ports: all fine.
  EXPECT_TRUE(apply_status(c,
                           "service add u udp 192.0.2.10:80,443\n"
                           "service add o tcp 192.0.2.11:80,443\n"
                           "service add any tcp 192.0.2.10\n"
                           "service add api tcp 192.0.2.10:444,8100-8199\n"));
  // service set: into another's ports is refused, within its own is not.
  EXPECT_FALSE(apply_status(c, "service set api ports 444,8099\n"));
  EXPECT_FALSE(apply_status(c, "service set web ports 80-8099\n"));  // api has 444
  Status moved = apply_status(c, "service set web ports 80,443,445-8099\n");
  EXPECT_TRUE(moved) << moved.error().message;
  EXPECT_EQ(c.find_service(Proto::tcp, *IpAddr::parse("192.0.2.10"), 5000)->name, "web");
  EXPECT_EQ(c.find_service(Proto::tcp, *IpAddr::parse("192.0.2.10"), 444)->name, "api");
  EXPECT_EQ(c.find_service(Proto::tcp, *IpAddr::parse("192.0.2.10"), 0)->name, "any");
  EXPECT_EQ(c.find_service(Proto::tcp, *IpAddr::parse("192.0.2.10"), 8200), nullptr);
}

TEST(MultiportModel, PrintedRulesetAppliesBack) {
  const std::string text =
      "flush ruleset\n"
      "service add web tcp 192.0.2.10:80,443,8000-8099 sched mh\n"
      "service add dns udp [2001:db8::10]:53,5353-5355 sched sh\n"
      "service add one tcp 192.0.2.10:22 sched mh\n";
  Config c = apply(text);
  EXPECT_EQ(print_ruleset(c), text);
  EXPECT_EQ(print_ruleset(apply(print_ruleset(c))), text);
}

TEST(MultiportModel, StoreKeepsThePorts) {
  Config c = apply(
      "service add web tcp 192.0.2.10:80,443,8000-8099\n"
      "service add one tcp 192.0.2.10:22\n");
  nlohmann::json j = c;
  EXPECT_EQ(j["services"][0]["ports"], "80,443,8000-8099");
  EXPECT_FALSE(j["services"][1].contains("ports"));
  auto back = config_from_json(j);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->services[0].ports, c.services[0].ports);
  EXPECT_EQ(back->services[0].port, 80);
  EXPECT_TRUE(back->services[1].ports.empty());
  // A set that does not start at `port` is a damaged store.
  j["services"][0]["port"] = 81;
  EXPECT_FALSE(config_from_json(j));
}

TEST(MultiportModel, EachPortTakesAServiceMapEntry) {
  Config c = apply(
      "service add web tcp 192.0.2.10:80,443,8000-8099\n"
      "service add dns udp 192.0.2.10:53\n"
      "service add any tcp 192.0.2.11\n");
  EXPECT_EQ(service_map_entries(c), 102u + 1 + 1 + 2);  // ports, then two VIPs
  EXPECT_TRUE(check_service_map_capacity(c, Capacities{.services = 53}));
  Status st = check_service_map_capacity(c, Capacities{.services = 52});
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().message,
            "capacity exhausted: the services' ports and VIPs need 106 entries of the service map, "
            "which holds 104 (2 x services 52; each port of a range takes one); use fewer ports or "
            "port 0 (every port), or re-create the pins with a larger services capacity");
}

}  // namespace
}  // namespace xlb
