// Prefix VIPs without the kernel: `service add NAME PROTO ADDR/LEN[:PORTS]`
// parsed, validated, printed back and kept by the store; conflicts only
// between services of the same prefix; the service a packet gets in the
// datapath's order (flows get, flow sync); the address checks probe.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include "apply_text.hpp"
#include "config/command.hpp"
#include "config/lexer.hpp"
#include "config/ruleset.hpp"
#include "model/ops.hpp"
#include "words.hpp"

namespace xlb {
namespace {

using test::split;

using test::apply_status;

Service added(const std::string& line) {
  auto c = parse_command(split(line));
  EXPECT_TRUE(c) << line << ": " << (c ? "" : c.error().message);
  return c ? std::get<cmd::ServiceAdd>(*c).service : Service{};
}

TEST(PrefixVipGrammar, PrefixWithPortsOrNone) {
  Service s = added("service add net tcp 192.0.2.0/28:80");
  EXPECT_EQ(s.vip, *IpAddr::parse("192.0.2.0"));
  EXPECT_EQ(s.vip_len, 28);
  EXPECT_EQ(s.port, 80);
  EXPECT_EQ(s.spec(), "tcp 192.0.2.0/28:80");
  EXPECT_EQ(added("service add net tcp 192.0.2.0/24:80,443").spec(), "tcp 192.0.2.0/24:80,443");
  EXPECT_EQ(added("service add net udp 192.0.2.0/24").spec(), "udp 192.0.2.0/24");
  EXPECT_EQ(added("service add net tcp [2001:db8::/120]:443").spec(), "tcp [2001:db8::/120]:443");
  // A whole address is an exact VIP.
  Service one = added("service add one tcp 192.0.2.7/32:80");
  EXPECT_EQ(one.vip_len, 0);
  EXPECT_EQ(one.spec(), "tcp 192.0.2.7:80");
}

TEST(PrefixVipGrammar, Errors) {
  struct Case {
    const char* line;
    const char* message;
  };
  for (const Case& c : {
           Case{"service add n tcp 192.0.2.5/28:80",
                "VIP prefix 192.0.2.5/28 has host bits set (192.0.2.0/28?)"},
           Case{"service add n tcp 192.0.2.0/33:80",
                "invalid VIP prefix '192.0.2.0/33:80' (expected ADDR/LEN[:PORTS] or "
                "[IPv6/LEN][:PORTS])"},
           Case{"service add n tcp 2001:db8::/120",
                "invalid VIP prefix '2001:db8::/120' (expected ADDR/LEN[:PORTS] or "
                "[IPv6/LEN][:PORTS])"},
           Case{"service add n tcp 0.0.0.0/0:80",
                "a VIP prefix of length 0 would take every address"},
           Case{"service add n tcp 192.0.2.0/28:0",
                "invalid ports '0': '0' is not a port (1 to 65535)"},
       }) {
    auto r = parse_command(split(c.line));
    ASSERT_FALSE(r) << c.line;
    EXPECT_EQ(r.error().message, c.message) << c.line;
    EXPECT_EQ(r.error().token, 4) << c.line;
  }
}

TEST(PrefixVipModel, ConflictsOnlyWithinOnePrefix) {
  Config c;
  ASSERT_TRUE(apply_status(c, "service add net tcp 192.0.2.0/28:80\n"));
  Status st = apply_status(c, "service add again tcp 192.0.2.0/28:80,443\n");
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("overlaps service net (tcp 192.0.2.0/28:80) on port 80"),
            std::string::npos)
      << st.error().message;
  // Another length, an exact VIP inside, the network address itself: fine.
  EXPECT_TRUE(apply_status(c,
                           "service add wide tcp 192.0.2.0/24:80\n"
                           "service add one tcp 192.0.2.5:80\n"
                           "service add zero tcp 192.0.2.0:80\n"));
  // The exact service is what `tcp 192.0.2.0:80` names.
  EXPECT_EQ(c.find_service(Proto::tcp, *IpAddr::parse("192.0.2.0"), 80)->name, "zero");
}

TEST(PrefixVipModel, PrintedRulesetAppliesBackAndTheStoreKeepsIt) {
  const std::string text =
      "flush ruleset\n"
      "service add net tcp 192.0.2.0/28:80,443 sched mh\n"
      "service add net6 udp [2001:db8::/120] sched sh\n";
  Config c;
  ASSERT_TRUE(apply_status(c, text));
  EXPECT_EQ(print_ruleset(c), text);
  nlohmann::json j = c;
  EXPECT_EQ(j["services"][0]["vip_len"], 28);
  auto back = config_from_json(j);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(print_ruleset(*back), text);
  j["services"][0]["vip"] = "192.0.2.1";  // host bits: a damaged store
  EXPECT_FALSE(validate(*config_from_json(j)));
}

// As bpf/lookup.h: an exact VIP wins (for every port and protocol), else
// the longest prefix that holds the address; on it the exact port, else
// the service with every port.
TEST(PrefixVipModel, ServiceForFollowsTheDatapathsOrder) {
  Config c;
  ASSERT_TRUE(apply_status(c,
                           "service add wide tcp 192.0.2.0/24:80\n"
                           "service add net tcp 192.0.2.0/28:80,8000-8099\n"
                           "service add netany tcp 192.0.2.0/28\n"
                           "service add one udp 192.0.2.5:53\n"));
  auto name = [&](Proto p, const char* dst, uint16_t port) -> std::string {
    const Service* s = c.service_for(p, *IpAddr::parse(dst), port);
    return s ? s->name : "-";
  };
  EXPECT_EQ(name(Proto::tcp, "192.0.2.9", 80), "net");
  EXPECT_EQ(name(Proto::tcp, "192.0.2.15", 8050), "net");
  EXPECT_EQ(name(Proto::tcp, "192.0.2.9", 443), "netany");
  EXPECT_EQ(name(Proto::tcp, "192.0.2.0", 80), "net");  // the network address too
  EXPECT_EQ(name(Proto::tcp, "192.0.2.200", 80), "wide");
  EXPECT_EQ(name(Proto::tcp, "192.0.2.200", 443), "-");
  EXPECT_EQ(name(Proto::udp, "192.0.2.9", 53), "-");
  EXPECT_EQ(name(Proto::tcp, "192.0.2.5", 80), "-");  // the exact VIP wins
  EXPECT_EQ(name(Proto::udp, "192.0.2.5", 53), "one");
  EXPECT_EQ(name(Proto::tcp, "198.51.100.1", 80), "-");
  EXPECT_EQ(c.vip_of(*IpAddr::parse("192.0.2.9")), (IpPrefix{*IpAddr::parse("192.0.2.0"), 28}));
  EXPECT_EQ(c.vip_of(*IpAddr::parse("192.0.2.99")), (IpPrefix{*IpAddr::parse("192.0.2.0"), 24}));
  EXPECT_EQ(c.vip_of(*IpAddr::parse("192.0.2.5")), (IpPrefix{*IpAddr::parse("192.0.2.5"), 0}));
  EXPECT_FALSE(c.vip_of(*IpAddr::parse("192.0.3.1")));
}

// Health checks of a prefix service probe its first host address, not the
// network address (which backends seldom answer on).
TEST(PrefixVipModel, ChecksProbeTheFirstHostAddress) {
  auto probed = [](const std::string& line) { return added(line).probe_vip().str(); };
  EXPECT_EQ(probed("service add n tcp 192.0.2.0/28:80"), "192.0.2.1");
  EXPECT_EQ(probed("service add n tcp 198.51.100.0/31:80"), "198.51.100.1");
  EXPECT_EQ(probed("service add n tcp 10.0.0.0/8:80"), "10.0.0.1");
  EXPECT_EQ(probed("service add n tcp [2001:db8::/120]:80"), "2001:db8::1");
  EXPECT_EQ(probed("service add n tcp [2001:db8:1::/48]:80"), "2001:db8:1::1");
  EXPECT_EQ(probed("service add n tcp 192.0.2.10:80"), "192.0.2.10");
}

}  // namespace
}  // namespace xlb
