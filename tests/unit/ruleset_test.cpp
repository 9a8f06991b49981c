// Ruleset files without the kernel: print_ruleset's output parses and
// applies back to the same model (the round trip `xlb list ruleset | xlb -f -`
// relies on), apply_ruleset is all-or-nothing on a copy, and the runtime
// state of backends (resolved MACs, health) is carried across a reload.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include <nlohmann/json.hpp>
#include "config/command.hpp"
#include "config/lexer.hpp"
#include "config/ruleset.hpp"

#include "model/health_vips.hpp"
#include "model/maglev.hpp"
#include "model/ops.hpp"
#include "model/timeouts.hpp"

namespace xlb {
namespace {

IpAddr addr(const char* text) { return *IpAddr::parse(text); }

// Applies ruleset text to `c`; failures fail the test with the rendering.
Status apply_text(Config& c, const std::string& text) {
  SourceError err;
  auto stmts = lex_text(text, "t.conf", &err);
  if (!stmts) return stmts.error();
  auto cmds = parse_ruleset(*stmts, &err);
  if (!cmds) return cmds.error();
  return apply_ruleset(c, *cmds, &err);
}

Config from_text(const std::string& text) {
  Config c;
  Status s = apply_text(c, text);
  EXPECT_TRUE(s.ok()) << s.error().message << "\n" << text;
  return c;
}

// What the operator configured, without ids the transaction assigns.
void expect_same_meaning(const Config& a, const Config& b) {
  EXPECT_EQ(a.settings, b.settings);
  ASSERT_EQ(a.services.size(), b.services.size());
  for (size_t i = 0; i < a.services.size(); i++) {
    const Service &x = a.services[i], &y = b.services[i];
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.proto, y.proto);
    EXPECT_EQ(x.vip, y.vip);
    EXPECT_EQ(x.port, y.port);
    EXPECT_EQ(x.sched, y.sched);
    EXPECT_EQ(x.ring, y.ring);
    EXPECT_EQ(x.forward, y.forward);
    EXPECT_EQ(x.forward_port, y.forward_port);
    EXPECT_EQ(x.persist, y.persist);
    ASSERT_EQ(x.backends.size(), y.backends.size()) << x.name;
    for (size_t j = 0; j < x.backends.size(); j++) {
      const Backend &p = x.backends[j], &q = y.backends[j];
      EXPECT_EQ(p.addr, q.addr);
      EXPECT_EQ(p.weight, q.weight);
      EXPECT_EQ(p.priority, q.priority);
      EXPECT_EQ(p.mac_explicit, q.mac_explicit);
      if (p.mac_explicit) {
        EXPECT_EQ(p.mac, q.mac);
      }
      EXPECT_EQ(p.admin, q.admin);
    }
  }
}

TEST(RulesetPrint, EmptyConfigIsJustAFlush) {
  EXPECT_EQ(print_ruleset(Config{}), "flush ruleset\n");
}

TEST(RulesetPrint, ExactText) {
  Config c = from_text(
      "set seed 42\n"
      "set nat6 fd00:1:2::/96\n"
      "set nat4 100.127.1.2/22\n"
      "service add web tcp 192.0.2.10:80 ring 13 sched sh\n"
      "backend add web 10.0.0.2 weight 0 mac 02:00:00:00:00:0B\n"
      "backend add web 10.0.0.1 mac 02:00:00:00:00:0a\n"
      "backend disable web 10.0.0.1\n"
      "service add dns udp [2001:db8::53]\n");
  EXPECT_EQ(print_ruleset(c),
            "flush ruleset\n"
            "set seed 42\n"
            "set nat4 100.127.0.0/22\n"
            "set nat6 fd00:1:2::/96\n"
            "service add web tcp 192.0.2.10:80 sched sh ring 13\n"
            "backend add web 10.0.0.1 weight 1 mac 02:00:00:00:00:0a\n"
            "backend disable web 10.0.0.1\n"
            "backend add web 10.0.0.2 weight 0 mac 02:00:00:00:00:0b\n"
            "service add dns udp [2001:db8::53] sched mh\n");
}

// persist D is printed in its shortest exact spelling, and only when set;
// `persist off` and `persist 0` remove it.
TEST(RulesetPrint, PersistOnlyWhenSet) {
  Config c = from_text(
      "service add web tcp 192.0.2.10:80 persist 300\n"
      "service add api tcp 192.0.2.11:80 persist 90 sched sh\n"
      "service add dns udp 192.0.2.53:53 persist 1d\n"
      "service add ftp tcp 192.0.2.21:21 persist 5m\n"
      "service set dns persist off\n"
      "service set ftp persist 0\n");
  EXPECT_EQ(print_ruleset(c),
            "flush ruleset\n"
            "service add web tcp 192.0.2.10:80 sched mh persist 5m\n"
            "service add api tcp 192.0.2.11:80 sched sh persist 90s\n"
            "service add dns udp 192.0.2.53:53 sched mh\n"
            "service add ftp tcp 192.0.2.21:21 sched mh\n");
  EXPECT_EQ(c.services[0].persist, 300u);
  // The model refuses what the grammar cannot say (a store, an API user).
  Service s = c.services[0];
  s.name = "long";
  s.port = 81;
  s.persist = kMaxFlowTimeout + 1;
  Status added = service_add(c, s);
  ASSERT_FALSE(added.ok());
  EXPECT_EQ(added.error().message, "persist 604801s of service long is above 7d");
}

TEST(RulesetPrint, FlowSettingsOnlyWhenNotTheDefault) {
  EXPECT_EQ(print_ruleset(from_text("set timeout tcp 900 tcp-syn 10 udp 300\n"
                                    "set flow-guard 10000\n")),
            "flush ruleset\n");
  Config c = from_text(
      "set timeout udp 90 tcp 15m tcp-syn 5\n"
      "set flow-guard off\n");
  EXPECT_EQ(c.settings.timeouts.udp, 90u);
  EXPECT_EQ(c.settings.timeouts.tcp_syn, 5u);
  EXPECT_EQ(c.settings.flow_guard, 0u);
  EXPECT_EQ(print_ruleset(c),
            "flush ruleset\n"
            "set timeout tcp-syn 5s udp 90s\n"
            "set flow-guard off\n");
  EXPECT_EQ(print_ruleset(from_text("set timeout tcp 2h\nset flow-guard 500\n")),
            "flush ruleset\nset timeout tcp 2h\nset flow-guard 500\n");
  EXPECT_EQ(print_ruleset(from_text("set icmp-echo on\n")), "flush ruleset\n");
  EXPECT_EQ(print_ruleset(from_text("set icmp-echo off\n")), "flush ruleset\nset icmp-echo off\n");
  // flush ruleset resets them.
  EXPECT_EQ(print_ruleset(from_text("set timeout tcp 2h\nflush ruleset\n")), "flush ruleset\n");
  EXPECT_EQ(print_ruleset(from_text("set icmp-echo off\nflush ruleset\n")), "flush ruleset\n");
}

TEST(RulesetPrint, ResolvedMacsAreNotPrinted) {
  // A MAC found in the neighbour table is the kernel's, not the operator's.
  Config c = from_text("service add web tcp 192.0.2.10:80\n");
  Backend b;
  b.addr = addr("10.0.0.1");
  b.mac = *MacAddr::parse("02:00:00:00:00:01");
  ASSERT_TRUE(backend_add(c, ServiceRef{"web", {}, {}}, b).ok());
  EXPECT_EQ(print_ruleset(c).find("mac"), std::string::npos) << print_ruleset(c);
}

TEST(NextHopState, UnresolvedIsOutOfTheTableKeptInTheStoreAndNotPrinted) {
  Config c = from_text("service add web tcp 192.0.2.10:80\nbackend add web 10.0.0.1\n");
  Backend& b = c.services[0].backends[0];
  EXPECT_TRUE(b.in_table());
  b.unresolved = true;
  EXPECT_FALSE(b.in_table());  // like a down backend
  EXPECT_TRUE(announced_vips(c).empty());
  nlohmann::json j = c;
  auto back = config_from_json(j);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->services[0].backends[0].unresolved);
  // Stores written before the field existed: resolved.
  j["services"][0]["backends"][0].erase("unresolved");
  EXPECT_FALSE(config_from_json(j)->services[0].backends[0].unresolved);
  // A next hop is runtime state, not configuration.
  EXPECT_EQ(print_ruleset(c),
            "flush ruleset\nservice add web tcp 192.0.2.10:80 sched mh\n"
            "backend add web 10.0.0.1 weight 1\n");
}

// A random model built with the model's own edits.
Config random_config(std::mt19937& rng) {
  auto pick = [&](uint32_t n) { return static_cast<uint32_t>(rng() % n); };
  static const uint32_t kPrimes[] = {7, 13, 31, 97, 251, 16381, 65537};
  Config c;
  if (pick(2)) {
    EXPECT_TRUE(settings_set_seed(c, rng()).ok());
  }
  const char* const tunnel_addrs[] = {"198.51.100.7", "2001:db8:ff::7", "198.51.100.1",
                                      "2001:db8:ff::1"};
  for (TunnelSetting t : {TunnelSetting::source4, TunnelSetting::source6, TunnelSetting::gateway4,
                          TunnelSetting::gateway6})
    if (pick(3)) {
      EXPECT_TRUE(settings_set_tunnel(c, t, addr(tunnel_addrs[static_cast<int>(t)])).ok());
    }
  const bool tunnels = c.settings.source4 && c.settings.source6;
  if (pick(3) == 0) {
    EXPECT_TRUE(
        settings_set_nat(c, *IpPrefix::parse("100.64.0.0/" + std::to_string(10 + pick(12)))).ok());
  }
  if (pick(3) == 0) {
    EXPECT_TRUE(
        settings_set_nat(c, *IpPrefix::parse("fd00:ab::/" + std::to_string(32 + pick(64)))).ok());
  }
  const uint32_t services = pick(6);
  for (uint32_t i = 0; i < services; i++) {
    Service s;
    s.name = "svc" + std::to_string(i);
    s.proto = pick(2) ? Proto::tcp : Proto::udp;
    bool v6 = pick(2);
    s.vip = addr(v6 ? "2001:db8::100" : "192.0.2.100");
    s.vip.bytes[v6 ? 15 : 3] = static_cast<uint8_t>(i);
    s.port = pick(3) == 0 ? 0 : static_cast<uint16_t>(1 + pick(65535));
    s.sched = pick(2) ? Sched::mh : Sched::sh;
    s.ring = kPrimes[pick(7)];
    s.forward = tunnels ? static_cast<Forward>(pick(5)) : Forward::dsr;
    if (takes_port(s.forward) && pick(2)) s.forward_port = static_cast<uint16_t>(1 + pick(65535));
    if (pick(3) == 0) s.persist = 1 + pick(kMaxFlowTimeout);
    EXPECT_TRUE(service_add(c, s).ok());
    const uint32_t backends = pick(std::min<uint32_t>(s.ring, 6));
    for (uint32_t j = 0; j < backends; j++) {
      Backend b;
      // dsr keeps the VIP's family; tunnels carry any family in any other
      bool be6 = is_tunnel(s.forward) ? pick(2) == 1 : v6;
      b.addr = addr(be6 ? "fd00::" : "10.1.0.0");
      b.addr.bytes[b.addr.family == XLB_AF_INET ? 3 : 15] = static_cast<uint8_t>(j + 1);
      b.weight = pick(4) == 0 ? 0 : 1 + pick(kMaxWeight);
      b.priority = pick(3) == 0 ? pick(kMaxPriority + 1) : 0;
      b.mac_explicit = pick(2);
      b.mac = b.mac_explicit
                  ? MacAddr{{2, 0, 0, 0, static_cast<uint8_t>(i), static_cast<uint8_t>(j)}}
                  : MacAddr{};
      ServiceRef ref{s.name, {}, {}};
      if (!backend_add(c, ref, b).ok()) continue;  // same address drawn twice
      if (pick(4) == 0) {
        EXPECT_TRUE(backend_set_admin(c, ref, b.addr, Admin::disabled).ok());
      }
    }
  }
  if (pick(3) == 0) {
    TimeoutChange t;
    if (pick(2)) t.tcp = 1 + pick(kMaxFlowTimeout);
    if (pick(2)) t.tcp_syn = 1 + pick(120);
    t.udp = 1 + pick(3600);
    EXPECT_TRUE(settings_set_timeouts(c, t).ok());
  }
  if (pick(3) == 0) {
    EXPECT_TRUE(settings_set_flow_guard(c, pick(3) ? pick(100000) : 0).ok());
  }
  return c;
}

TEST(RulesetRoundTrip, RandomModelsPrintParseAndApplyBack) {
  std::mt19937 rng(20261122);
  for (int i = 0; i < 300; i++) {
    Config c = random_config(rng);
    ASSERT_TRUE(validate(c).ok()) << validate(c).error().message;
    std::string text = print_ruleset(c);
    Config back = from_text(text);
    expect_same_meaning(c, back);
    ASSERT_EQ(print_ruleset(back), text);
    if (HasFailure()) FAIL() << "iteration " << i << ":\n" << text;
  }
}

TEST(RulesetRoundTrip, FlushMakesTheFileReplaceEverything) {
  Config live = from_text("service add old tcp 192.0.2.1:80\nset seed 5\n");
  Config wanted = from_text("service add new udp 192.0.2.2:53\n");
  ASSERT_TRUE(apply_text(live, print_ruleset(wanted)).ok());
  expect_same_meaning(live, wanted);
}

TEST(RulesetApply, SemanticErrorsAreRuntimeErrorsAtTheirStatement) {
  struct Case {
    const char* text;
    const char* where;
  };
  const Case cases[] = {
      {"backend add nosuch 10.0.0.1\n", "t.conf:1:13: no such service: nosuch"},
      {"service add a tcp 192.0.2.1:80\nservice add a tcp 192.0.2.2:80\n",
       "t.conf:2:13: service a already exists"},
      {"service add a tcp 192.0.2.1:80\nbackend add a 10.0.0.1\nbackend add a 10.0.0.1\n",
       "t.conf:3:13: backend 10.0.0.1 already exists in service a"},
      {"service add a tcp 192.0.2.1:80\nbackend del a 10.0.0.1\n",
       "t.conf:2:13: no such backend: 10.0.0.1 in service a"},
      {"service del tcp 192.0.2.1:80\n", "t.conf:1:13: no such service: tcp 192.0.2.1:80"},
  };
  for (const auto& c : cases) {
    Config cfg;
    Status s = apply_text(cfg, c.text);
    ASSERT_FALSE(s.ok()) << c.text;
    EXPECT_EQ(s.error().message, c.where) << c.text;
  }
}

TEST(RulesetApply, ValidationErrorsAreUsageErrors) {
  Config cfg;
  Status s = apply_text(cfg,
                        "service add a tcp 192.0.2.1:80 ring 7\n"
                        "backend add a 10.0.0.1 weight 70000\n");
  ASSERT_FALSE(s.ok());  // weight out of range: the grammar says so
  EXPECT_EQ(s.error().kind, ErrorKind::usage);
}

}  // namespace
}  // namespace xlb
