// Dynamic weights (service add|set ... weights static|flows|response): the
// effective weight arithmetic, its hysteresis, the Maglev table it gives,
// the grammar, the ruleset round trip and the stored model.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "config/lexer.hpp"
#include "config/ruleset.hpp"
#include "model/dynamic_weights.hpp"
#include "model/maglev.hpp"
#include "model/model.hpp"
#include "model/model_cbor.hpp"
#include "model/ops.hpp"

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

Service service(WeightMode m, std::vector<uint32_t> weights) {
  Service s;
  s.weights = m;
  for (size_t i = 0; i < weights.size(); i++) {
    Backend b;
    b.addr = *IpAddr::parse("10.0.0." + std::to_string(i + 1));
    b.weight = weights[i];
    b.id = static_cast<uint32_t>(i);
    s.backends.push_back(b);
  }
  return s;
}

std::vector<BackendLoad> flows(std::vector<uint64_t> n) {
  std::vector<BackendLoad> v;
  for (uint64_t f : n) v.push_back({f, std::nullopt});
  return v;
}

TEST(DynamicWeights, EvenLoadKeepsTheConfiguredRatio) {
  Service s = service(WeightMode::flows, {1, 2, 3});
  EXPECT_EQ(effective_weights(s, flows({0, 0, 0})), (std::vector<uint32_t>{100, 200, 300}));
  // 10 flows per unit of weight everywhere: the same.
  EXPECT_EQ(effective_weights(s, flows({10, 20, 30})), (std::vector<uint32_t>{100, 200, 300}));
}

TEST(DynamicWeights, LeastConnectionsLowersTheLoadedBackend) {
  Service s = service(WeightMode::flows, {1, 1, 1});
  auto w = effective_weights(s, flows({60, 0, 0}));
  // avg 20 per unit: the loaded one (21/61), the idle ones 21 (capped at 10).
  EXPECT_EQ(w, (std::vector<uint32_t>{34, 1000, 1000}));
  // A heavier weight carries more flows at the same factor.
  Service t = service(WeightMode::flows, {2, 1});
  auto w2 = effective_weights(t, flows({20, 10}));
  EXPECT_EQ(w2, (std::vector<uint32_t>{200, 100}));
}

TEST(DynamicWeights, FactorIsBoundedAndDrainedStaysZero) {
  // 200 backends, one holding every flow: its factor would be 1/200.
  Service s = service(WeightMode::flows, std::vector<uint32_t>(200, 1));
  s.backends[199].weight = 0;
  std::vector<uint64_t> n(200, 0);
  n[0] = 1000000;
  n[199] = 5;
  auto w = effective_weights(s, flows(n));
  EXPECT_EQ(w[0], 1u);     // at least 1/100 of its share, never 0
  EXPECT_EQ(w[1], 1000u);  // at most 10 times
  EXPECT_EQ(w[199], 0u);   // weight 0: drained
}

TEST(DynamicWeights, LeastResponseTimeFavoursTheFaster) {
  Service s = service(WeightMode::response, {1, 1, 1});
  std::vector<BackendLoad> l{{0, 200.0}, {0, 2000.0}, {0, std::nullopt}};
  auto w = effective_weights(s, l);
  // avg 1100 us: (1100 + 100) / (200 + 100) = 4, / (2000 + 100) = 0.57;
  // unmeasured: its configured share.
  EXPECT_EQ(w, (std::vector<uint32_t>{400, 57, 100}));
  // Nothing measured: nothing to go on.
  EXPECT_EQ(effective_weights(s, flows({0, 0, 0})), (std::vector<uint32_t>{100, 100, 100}));
}

TEST(DynamicWeights, StaticIgnoresTheLoad) {
  Service s = service(WeightMode::fixed, {1, 2});
  EXPECT_EQ(effective_weights(s, flows({100, 0})), (std::vector<uint32_t>{1, 2}));
  s.backends[0].effective_weight = 7;  // left over: not used under static
  EXPECT_EQ(s.table_weight(s.backends[0]), 1u);
}

TEST(DynamicWeights, HysteresisIgnoresSmallMoves) {
  Service s = service(WeightMode::flows, {1, 1});
  // Nothing written yet: the table has 100 each.
  EXPECT_EQ(s.table_weight(s.backends[0]), 100u);
  EXPECT_FALSE(weights_moved(s, {110, 90}));  // 10%
  EXPECT_TRUE(weights_moved(s, {100, 80}));   // 20%
  s.backends[0].effective_weight = 34;
  s.backends[1].effective_weight = 1000;
  EXPECT_FALSE(weights_moved(s, {38, 900}));  // 11.8% and 10%
  EXPECT_TRUE(weights_moved(s, {41, 1000}));  // 20.6%
  s.backends[0].effective_weight = 1;
  EXPECT_FALSE(weights_moved(s, {2, 1000}));  // a move of 1 is noise
}

// Fewer Maglev slots for the backend holding many flows.
TEST(DynamicWeights, TheLoadedBackendGetsFewerSlots) {
  Service s = service(WeightMode::flows, {1, 1, 1});
  auto w = effective_weights(s, flows({300, 10, 20}));
  std::vector<MaglevEntry> in;
  for (size_t i = 0; i < w.size(); i++) in.push_back({s.backends[i].addr, w[i], uint32_t(i)});
  auto table = maglev_build(in, 65537, 1);
  std::map<uint32_t, size_t> slots;
  for (uint32_t id : table) slots[id]++;
  EXPECT_LT(slots[0] * 10, slots[1]) << slots[0] << " vs " << slots[1];
  EXPECT_GT(slots[1], slots[2]);  // 10 flows beat 20
}

TEST(DynamicWeights, GrammarRoundTripAndStore) {
  auto c = apply(
      "service add web tcp 192.0.2.10:80 weights flows\nservice add dns udp 192.0.2.53:53\n"
      "service set dns weights response\nbackend add web 10.0.0.1 weight 2\n");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->services[0].weights, WeightMode::flows);
  EXPECT_EQ(c->services[1].weights, WeightMode::response);
  c->services[0].backends[0].effective_weight = 57;  // runtime state: not printed
  const std::string text = print_ruleset(*c);
  EXPECT_NE(text.find("service add web tcp 192.0.2.10:80 sched mh weights flows\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("57"), std::string::npos) << text;
  auto again = apply(text);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(print_ruleset(*again), text);
  auto back = config_from_cbor(config_to_cbor(*c));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->services[0].weights, WeightMode::flows);
  EXPECT_EQ(back->services[0].backends[0].effective_weight, 57u);
  EXPECT_EQ(back->services[1].backends.size(), 0u);
}

TEST(DynamicWeights, ModeChangeResetsAndWeightChangeScales) {
  auto c = apply("service add web tcp 192.0.2.10:80 weights flows\nbackend add web 10.0.0.1\n");
  ASSERT_TRUE(c.ok());
  c->services[0].backends[0].effective_weight = 40;
  ASSERT_TRUE(backend_set_weight(*c, {"web", {}, {}}, *IpAddr::parse("10.0.0.1"), 3).ok());
  EXPECT_EQ(c->services[0].backends[0].effective_weight, 120u);  // same load factor
  ServiceChange ch;
  ch.weights = WeightMode::response;
  ASSERT_TRUE(service_set(*c, {"web", {}, {}}, ch).ok());
  EXPECT_EQ(c->services[0].backends[0].effective_weight, 0u);
  EXPECT_EQ(c->services[0].table_weight(c->services[0].backends[0]), 300u);
}

TEST(DynamicWeights, BadModesAreRefused) {
  for (const char* bad : {"weights lc", "weights", "weights 5"}) {
    auto c = apply(std::string("service add web tcp 192.0.2.10:80 ") + bad + "\n");
    ASSERT_FALSE(c.ok()) << bad;
    EXPECT_NE(c.error().message.find("weights"), std::string::npos) << c.error().message;
  }
}

TEST(DynamicWeights, OldStoresDecodeAsStatic) {
  auto c = apply("service add web tcp 192.0.2.10:80\nbackend add web 10.0.0.1\n");
  ASSERT_TRUE(c.ok());
  nlohmann::json j = *c;
  j["services"][0].erase("weights");
  auto back = config_from_json(j);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->services[0].weights, WeightMode::fixed);
  EXPECT_EQ(back->services[0].backends[0].effective_weight, 0u);
}

// `xlb -f` of a ruleset keeps the effective weights xlb-healthd set, as it
// keeps health, while they still mean the same.
TEST(DynamicWeights, RulesetApplyKeepsThemWhileTheyMeanTheSame) {
  const std::string text =
      "service add web tcp 192.0.2.10:80 weights flows\nbackend add web 10.0.0.1\n"
      "backend add web 10.0.0.2\n";
  auto live = apply(text);
  ASSERT_TRUE(live.ok());
  live->services[0].backends[0].effective_weight = 34;
  live->services[0].backends[1].effective_weight = 1000;
  auto same = apply("flush ruleset\n" + text);
  ASSERT_TRUE(same.ok());
  carry_runtime_state(*live, *same);
  EXPECT_EQ(same->services[0].backends[0].effective_weight, 34u);
  EXPECT_EQ(same->services[0].backends[1].effective_weight, 1000u);
  // Another weight or another mode: they are worked out again.
  auto reweighed = apply(text + "backend set web 10.0.0.1 weight 2\n");
  ASSERT_TRUE(reweighed.ok());
  carry_runtime_state(*live, *reweighed);
  EXPECT_EQ(reweighed->services[0].backends[0].effective_weight, 0u);
  EXPECT_EQ(reweighed->services[0].backends[1].effective_weight, 1000u);
  auto response = apply(text + "service set web weights response\n");
  ASSERT_TRUE(response.ok());
  carry_runtime_state(*live, *response);
  EXPECT_EQ(response->services[0].backends[0].effective_weight, 0u);
}

}  // namespace
}  // namespace xlb
