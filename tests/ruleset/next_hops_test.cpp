// fill_macs (state/next_hops): MACs known in the live configuration are kept
// without a neighbour lookup, and tunnel backends need none.
#include <gtest/gtest.h>

#include "config/command.hpp"
#include "config/lexer.hpp"
#include "config/ruleset.hpp"
#include "model/ops.hpp"
#include "state/next_hops.hpp"

namespace xlb {
namespace {

IpAddr addr(const char* text) { return *IpAddr::parse(text); }
ServiceRef ref(const char* name) { return ServiceRef{name, {}, {}}; }

Service service(const char* name, const char* vip, Forward f) {
  Service s;
  s.name = name;
  s.vip = addr(vip);
  s.port = 80;
  s.forward = f;
  return s;
}

Backend backend(const char* a) {
  Backend b;
  b.addr = addr(a);
  return b;
}

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
  EXPECT_TRUE(apply_text(c, text).ok());
  return c;
}

TEST(RulesetRuntimeState, HealthAndResolvedMacsSurviveAReload) {
  Config live = from_text("service add web tcp 192.0.2.10:80\nbackend add web 10.0.0.1\n");
  Backend* b = live.services[0].find_backend(addr("10.0.0.1"));
  b->mac = *MacAddr::parse("02:00:00:00:00:77");
  b->health = Health::down;
  Config next = live;
  ASSERT_TRUE(apply_text(next,
                         "flush ruleset\nservice add web tcp 192.0.2.10:80\n"
                         "backend add web 10.0.0.1\nbackend add web 10.0.0.2 mac "
                         "02:00:00:00:00:02\n")
                  .ok());
  carry_runtime_state(live, next);
  EXPECT_TRUE(fill_macs(live, next).empty());  // no neighbour lookup: both known
  const Service& s = next.services[0];
  EXPECT_EQ(s.find_backend(addr("10.0.0.1"))->health, Health::down);
  EXPECT_EQ(s.find_backend(addr("10.0.0.1"))->mac.str(), "02:00:00:00:00:77");
  EXPECT_EQ(s.find_backend(addr("10.0.0.2"))->health, Health::up);
  EXPECT_EQ(s.find_backend(addr("10.0.0.2"))->mac.str(), "02:00:00:00:00:02");
}

TEST(TunnelConfig, TunnelBackendsNeedNoMac) {
  Config live, next;
  ASSERT_TRUE(settings_set_tunnel(next, TunnelSetting::source4, addr("198.51.100.7")).ok());
  ASSERT_TRUE(service_add(next, service("g", "192.0.2.10", Forward::ipip)).ok());
  // 203.0.113.9 is not on any link of this host: resolution would fail.
  ASSERT_TRUE(backend_add(next, ref("g"), backend("203.0.113.9")).ok());
  EXPECT_TRUE(fill_macs(live, next).empty());
  EXPECT_TRUE(next.services[0].backends[0].mac.is_zero());
  EXPECT_FALSE(next.services[0].backends[0].unresolved);
}

}  // namespace
}  // namespace xlb
