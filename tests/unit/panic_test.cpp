// The panic threshold (service add|set ... panic P%): when fewer than P% of a
// service's enabled backends are healthy, health is ignored and every
// enabled backend takes new flows. The arithmetic, the grammar, the ruleset
// round trip and the stored model.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "config/lexer.hpp"
#include "config/ruleset.hpp"
#include "model/model.hpp"
#include "model/model_cbor.hpp"

namespace xlb {
namespace {

Result<Config> apply(const std::string& text) {
  SourceError err;
  auto stmts = lex_text(text, "t.conf", &err);
  if (!stmts) return stmts.error();
  auto cmds = parse_ruleset(*stmts, &err);
  if (!cmds) return cmds.error();
  Config c;
  XLB_TRY(apply_ruleset(c, *cmds, &err));
  return c;
}

// A service of `n` backends, the first `healthy` of them up.
Service service(int n, int healthy, uint32_t panic) {
  Service s;
  s.panic = panic;
  for (int i = 0; i < n; i++) {
    Backend b;
    b.addr = *IpAddr::parse("10.0.0." + std::to_string(i + 1));
    b.health = i < healthy ? Health::up : Health::down;
    s.backends.push_back(b);
  }
  return s;
}

TEST(Panic, BelowTheThresholdOnly) {
  EXPECT_FALSE(service(4, 2, 50).in_panic());  // exactly 50%: not below
  EXPECT_TRUE(service(4, 1, 50).in_panic());
  EXPECT_TRUE(service(4, 0, 50).in_panic());
  EXPECT_FALSE(service(4, 4, 100).in_panic());
  EXPECT_TRUE(service(4, 3, 100).in_panic());
  EXPECT_FALSE(service(4, 0, 0).in_panic());   // off
  EXPECT_FALSE(service(0, 0, 50).in_panic());  // nothing to spread over
}

TEST(Panic, CountsEnabledBackendsOnly) {
  Service s = service(4, 1, 50);
  s.backends[2].admin = Admin::disabled;
  s.backends[3].weight = 0;
  // Enabled: 0 (up) and 1 (down): 50% healthy, not below 50%.
  EXPECT_FALSE(s.in_panic());
  s.backends[1].unresolved = true;  // out too: 1 of 1 healthy
  EXPECT_FALSE(s.in_panic());
  s.backends[0].health = Health::down;
  s.backends[1].unresolved = false;
  EXPECT_TRUE(s.in_panic());  // 0 of 2
}

TEST(Panic, DownBackendsTakeNewFlowsOnlyInPanic) {
  Service calm = service(4, 3, 50), panic = service(4, 1, 50);
  EXPECT_FALSE(calm.takes_new_flows(calm.backends[3]));
  EXPECT_TRUE(panic.takes_new_flows(panic.backends[3]));
  EXPECT_TRUE(panic.takes_new_flows(panic.backends[0]));
  panic.backends[3].admin = Admin::disabled;  // a drained backend stays drained
  EXPECT_FALSE(panic.takes_new_flows(panic.backends[3]));
}

TEST(Panic, GrammarAndRoundTrip) {
  auto c = apply(
      "service add web tcp 192.0.2.10:80 panic 50%\nservice add dns udp 192.0.2.53:53\n"
      "service set dns panic 25\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->services[0].panic, 50u);
  EXPECT_EQ(c->services[1].panic, 25u);
  const std::string text = print_ruleset(*c);
  EXPECT_NE(text.find("service add web tcp 192.0.2.10:80 sched mh panic 50%\n"), std::string::npos)
      << text;
  auto again = apply(text);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(print_ruleset(*again), text);
  auto off = apply(text + "service set web panic 0%\n");
  ASSERT_TRUE(off.ok());
  EXPECT_EQ(off->services[0].panic, 0u);
  EXPECT_EQ(print_ruleset(*off).find("web tcp 192.0.2.10:80 sched mh panic"), std::string::npos);
}

TEST(Panic, BadThresholdsAreRefused) {
  for (const char* bad : {"panic 101%", "panic -1%", "panic x", "panic %", "panic 50%%"}) {
    auto c = apply(std::string("service add web tcp 192.0.2.10:80 ") + bad + "\n");
    ASSERT_FALSE(c.ok()) << bad;
    EXPECT_NE(c.error().message.find("panic threshold"), std::string::npos)
        << bad << ": " << c.error().message;
  }
  EXPECT_FALSE(apply("service add web tcp 192.0.2.10:80 panic\n").ok());
}

TEST(Panic, StoredModelKeepsThresholdAndCount) {
  auto c = apply("service add web tcp 192.0.2.10:80 panic 30%\n");
  ASSERT_TRUE(c.ok());
  c->services[0].panics = 7;
  auto back = config_from_cbor(config_to_cbor(*c));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->services[0].panic, 30u);
  EXPECT_EQ(back->services[0].panics, 7u);
  c->services[0].panic = 101;  // not from the grammar: refused from a store too
  EXPECT_FALSE(config_from_cbor(config_to_cbor(*c)).ok());
}

}  // namespace
}  // namespace xlb
