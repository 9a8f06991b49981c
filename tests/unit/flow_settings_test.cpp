// Flow settings as data: timeout spellings, the store's JSON (stores written
// before the settings existed decode to the defaults), the flow-entry
// conversion from the previous ABI, and the expiry rule both sides share.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "model/model.hpp"
#include "model/ops.hpp"
#include "model/timeouts.hpp"

namespace xlb {
namespace {

TEST(FlowTimeouts, ParseAndFormat) {
  EXPECT_EQ(parse_timeout("900"), 900u);
  EXPECT_EQ(parse_timeout("900s"), 900u);
  EXPECT_EQ(parse_timeout("15m"), 900u);
  EXPECT_EQ(parse_timeout("2h"), 7200u);
  EXPECT_EQ(parse_timeout("7d"), kMaxFlowTimeout);
  for (const char* bad : {"", "0", "0s", "8d", "604801", "1ms", "-1", "1.5m", "m", "5 s"})
    EXPECT_FALSE(parse_timeout(bad)) << bad;
  EXPECT_EQ(format_timeout(900), "15m");
  EXPECT_EQ(format_timeout(10), "10s");
  EXPECT_EQ(format_timeout(90), "90s");
  EXPECT_EQ(format_timeout(86400), "1d");
  for (uint32_t s : {1u, 59u, 61u, 3599u, 3600u, 86399u, kMaxFlowTimeout})
    EXPECT_EQ(parse_timeout(format_timeout(s)), s);
}

TEST(FlowTimeouts, DefaultsAreIpvsAndAShortSynTimeout) {
  Settings st;
  EXPECT_EQ(st.timeouts.tcp, 900u);
  EXPECT_EQ(st.timeouts.udp, 300u);
  EXPECT_EQ(st.timeouts.tcp_syn, 10u);
  EXPECT_EQ(st.flow_guard, 10000u);
}

TEST(FlowTimeouts, SetChangesOnlyWhatIsNamedAndChecksTheRange) {
  Config c;
  ASSERT_TRUE(settings_set_timeouts(c, TimeoutChange{std::nullopt, 5, std::nullopt}).ok());
  EXPECT_EQ(c.settings.timeouts, (FlowTimeouts{900, 5, 300}));
  Status bad = settings_set_timeouts(c, TimeoutChange{kMaxFlowTimeout + 1, 1, 1});
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(c.settings.timeouts, (FlowTimeouts{900, 5, 300})) << "a refused edit changes nothing";
}

TEST(FlowTimeouts, StoreRoundTripAndOldStores) {
  Config c;
  ASSERT_TRUE(settings_set_timeouts(c, TimeoutChange{60, 3, 20}).ok());
  ASSERT_TRUE(settings_set_flow_guard(c, 0).ok());
  nlohmann::json j = c;
  auto back = config_from_json(j);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->settings, c.settings);
  j["settings"].erase("timeouts");
  j["settings"].erase("flow_guard");
  auto old = config_from_json(j);
  ASSERT_TRUE(old.ok()) << old.error().message;
  EXPECT_EQ(old->settings.timeouts, FlowTimeouts{});
  EXPECT_EQ(old->settings.flow_guard, static_cast<uint32_t>(XLB_FLOW_GUARD));
}

TEST(FlowEntry, ConversionFromAbi2KeepsThePlacementAsEstablished) {
  xlb_flow_v2 old{7, 1234, 5000, 3};
  xlb_flow f = xlb_flow_from_v2(&old);
  EXPECT_EQ(f.backend, 7u);
  EXPECT_EQ(f.cookie, 1234u);
  EXPECT_EQ(f.last_seen, 5000u);
  EXPECT_EQ(f.flags, 0);
}

TEST(FlowEntry, ExpiryRule) {
  xlb_bank bank{};
  bank.timeout_tcp = 100;
  bank.timeout_tcp_syn = 10;
  bank.timeout_udp = 50;
  EXPECT_EQ(xlb_flow_timeout(&bank, 6, 0), 100u);
  EXPECT_EQ(xlb_flow_timeout(&bank, 6, XLB_FLOW_SYN_ONLY), 10u);
  EXPECT_EQ(xlb_flow_timeout(&bank, 17, 0), 50u);
  xlb_flow f{};
  f.last_seen = 1000;
  EXPECT_FALSE(xlb_flow_expired(&f, 10, 1010));
  EXPECT_TRUE(xlb_flow_expired(&f, 10, 1011));
  EXPECT_FALSE(xlb_flow_expired(&f, 0, 1000000)) << "0: never";
}

}  // namespace
}  // namespace xlb
