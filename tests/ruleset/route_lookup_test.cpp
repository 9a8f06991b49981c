// RouteLookup::prefetch against the kernel's routes in a namespace of the
// test's own: the batched answers are those of asking one address at a
// time (on-link, through a gateway, no route, IPv4 and IPv6, one route out
// of a given interface), and get() then answers from the cache: the routes
// are removed before it is asked.
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "net/route.hpp"
#include "netns.hpp"

namespace xlb::test {
namespace {

IpAddr addr(const std::string& text) { return *IpAddr::parse(text); }

// More addresses than several batches hold, of every kind, some twice.
std::vector<RouteLookup::Key> lab_keys(int oif) {
  std::vector<RouteLookup::Key> keys;
  for (int i = 1; i <= 120; i++) keys.emplace_back(addr("10.9.0." + std::to_string(i)), 0);
  for (int i = 1; i <= 120; i++) keys.emplace_back(addr("10.20.1." + std::to_string(i)), 0);
  for (int i = 1; i <= 40; i++) keys.emplace_back(addr("203.0.113." + std::to_string(i)), 0);
  for (int i = 1; i <= 30; i++) keys.emplace_back(addr("fd00:9::" + std::to_string(i + 1)), 0);
  for (int i = 1; i <= 30; i++) keys.emplace_back(addr("fd00:20::" + std::to_string(i)), 0);
  keys.emplace_back(addr("10.9.0.5"), oif);
  keys.emplace_back(addr("10.9.0.7"), 0);  // again
  return keys;
}

std::string describe(const Result<RouteInfo>& r) {
  if (!r) return "error: " + r.error().message;
  return "dev " + std::to_string(r->ifindex) + " src " + r->source.str() + " via " +
         (r->gateway ? r->gateway->str() : "-");
}

class RouteLookupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces)";
    ASSERT_TRUE(ns_.ok()) << ns_.error();
    for (const char* cmd :
         {"link add rl0 type veth peer name rl1", "link set rl0 up", "link set rl1 up",
          "addr add 10.9.0.1/24 dev rl0", "route add 10.20.0.0/16 via 10.9.0.254",
          "-6 addr add fd00:9::1/64 dev rl0 nodad", "-6 route add fd00:20::/48 via fd00:9::fe"})
      ASSERT_TRUE(ns_.ip(cmd)) << ns_.error();
    oif_ = static_cast<int>(ns_.ifindex("rl0"));
  }
  TestNetns ns_;
  int oif_ = 0;
};

TEST_F(RouteLookupTest, PrefetchAnswersAsOneByOneAndFromItsCache) {
  const auto keys = lab_keys(oif_);
  std::vector<std::string> expected;
  RouteLookup one_by_one;
  for (const auto& [dst, oif] : keys) expected.push_back(describe(one_by_one.get(dst, oif)));
  // The lab answers in every way: on-link, through the gateway, no route.
  EXPECT_EQ(expected[1], "dev " + std::to_string(oif_) + " src 10.9.0.1 via -");
  EXPECT_EQ(expected[120], "dev " + std::to_string(oif_) + " src 10.9.0.1 via 10.9.0.254");
  EXPECT_EQ(expected[240].rfind("error: ", 0), 0u) << expected[240];
  EXPECT_EQ(expected[310], "dev " + std::to_string(oif_) + " src fd00:9::1 via fd00:9::fe");

  RouteLookup batched;
  batched.prefetch(keys);
  ASSERT_TRUE(ns_.ip("addr flush dev rl0")) << ns_.error();  // every route goes with it
  ASSERT_FALSE(route_get(addr("10.9.0.3")));
  for (size_t i = 0; i < keys.size(); i++)
    EXPECT_EQ(describe(batched.get(keys[i].first, keys[i].second)), expected[i])
        << keys[i].first.str() << " oif " << keys[i].second;
}

// A second prefetch asks only for what the cache lacks, and a later ask on
// the same socket is answered with its own reply.
TEST_F(RouteLookupTest, PrefetchesAddToTheCacheAndLeaveTheSocketClean) {
  RouteLookup routes;
  routes.prefetch({{addr("10.9.0.2"), 0}});
  routes.prefetch(lab_keys(oif_));
  EXPECT_EQ(describe(routes.get(addr("10.20.9.9"))),
            "dev " + std::to_string(oif_) + " src 10.9.0.1 via 10.9.0.254");
  EXPECT_EQ(describe(routes.get(addr("10.9.0.2"))),
            "dev " + std::to_string(oif_) + " src 10.9.0.1 via -");
}

// IPv6 switched off in the namespace: its requests come back as errors in
// the same batches as the IPv4 ones, which still answer as one by one (and
// from the batch: the routes are flushed before they are read).
TEST_F(RouteLookupTest, WithIPv6OffTheBatchAnswersAsOneByOne) {
  ASSERT_TRUE(ns_.sysctl("net/ipv6/conf/all/disable_ipv6", "1"));
  ASSERT_TRUE(ns_.sysctl("net/ipv6/conf/rl0/disable_ipv6", "1"));
  const auto keys = lab_keys(oif_);
  std::vector<std::string> expected;
  RouteLookup one_by_one;
  for (const auto& [dst, oif] : keys) expected.push_back(describe(one_by_one.get(dst, oif)));
  EXPECT_EQ(expected[1], "dev " + std::to_string(oif_) + " src 10.9.0.1 via -");
  EXPECT_EQ(expected[310].rfind("error: ", 0), 0u) << expected[310];

  RouteLookup batched;
  batched.prefetch(keys);
  ASSERT_TRUE(ns_.ip("addr flush dev rl0")) << ns_.error();  // the answers come from the batch
  for (size_t i = 0; i < keys.size(); i++)
    EXPECT_EQ(describe(batched.get(keys[i].first, keys[i].second)), expected[i])
        << keys[i].first.str() << " oif " << keys[i].second;
}

// A batch larger than the socket's receive buffer holds: the kernel drops
// the replies that do not fit (ENOBUFS). What the batch missed is asked one
// by one on a fresh socket, and every answer is still the right one: the
// routes are flushed after the prefetch, so an answer asked afterwards is
// the flushed table's, never another address's.
TEST_F(RouteLookupTest, ABatchTheReceiveBufferCannotHoldFallsBackToOneByOne) {
  const auto keys = lab_keys(oif_);
  std::vector<std::string> expected;
  RouteLookup one_by_one;
  for (const auto& [dst, oif] : keys) expected.push_back(describe(one_by_one.get(dst, oif)));

  RouteLookup batched(keys.size());
  batched.prefetch(keys);
  ASSERT_TRUE(ns_.ip("addr flush dev rl0")) << ns_.error();
  size_t asked_after = 0;
  for (size_t i = 0; i < keys.size(); i++) {
    const std::string got = describe(batched.get(keys[i].first, keys[i].second));
    if (got == expected[i]) continue;
    asked_after++;
    EXPECT_EQ(got, describe(RouteLookup().get(keys[i].first, keys[i].second)));
  }
  EXPECT_GT(asked_after, 0u) << "the batch fitted the receive buffer: no drop to fall back from";
}

}  // namespace
}  // namespace xlb::test
