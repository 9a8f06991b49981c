// How random connections spread over backends when they are hashed exactly
// as the datapath hashes them: xlb_flow_hash() of the 5-tuple (or of the
// source only), then xlb_ring_slot() into the service's Maglev table.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <random>
#include <vector>

#include "model/maglev.hpp"
#include "xlb_hash.h"

namespace xlb {
namespace {

constexpr uint32_t kHashSeed = 0x7a11c0deu;
constexpr int kFlows = 100000;

class FlowMaker {
 public:
  explicit FlowMaker(uint64_t seed) : rng_(seed) {}

  // A random TCP or UDP 5-tuple, IPv4 or IPv6, laid out as the datapath
  // fills struct xlb_flow_key (IPv4 in the first 4 bytes, pad zero).
  xlb_flow_key next() {
    xlb_flow_key key;
    std::memset(&key, 0, sizeof(key));
    const bool v6 = rng_() & 1;
    key.family = v6 ? XLB_AF_INET6 : XLB_AF_INET;
    fill(key.src, v6);
    fill(key.dst, v6);
    key.sport = static_cast<__be16>(rng_());
    key.dport = static_cast<__be16>(rng_());
    key.proto = (rng_() & 1) ? 6 : 17;
    return key;
  }

  // Another connection from the same source: new destination port, source
  // port and protocol (the VIP may differ too, e.g. port-0 services).
  xlb_flow_key same_source(const xlb_flow_key& from) {
    xlb_flow_key key = next();
    key.family = from.family;
    key.src = from.src;
    return key;
  }

 private:
  void fill(xlb_addr& a, bool v6) {
    for (int w = 0; w < (v6 ? 4 : 1); w++) a.w[w] = static_cast<uint32_t>(rng_());
  }

  std::mt19937_64 rng_;
};

uint32_t backend_of(const xlb_flow_key& key, const std::vector<uint32_t>& table, int source_only) {
  const uint32_t hash = xlb_flow_hash(&key, kHashSeed, source_only);
  return table[xlb_ring_slot(hash, static_cast<uint32_t>(table.size()))];
}

std::vector<MaglevEntry> pool_with_weights(const std::vector<uint32_t>& weights) {
  std::vector<MaglevEntry> out;
  for (uint32_t i = 0; i < weights.size(); i++) {
    IpAddr a = *IpAddr::parse("192.0.2.0");
    a.bytes[3] = static_cast<uint8_t>(i + 1);
    out.push_back({a, weights[i], i});
  }
  return out;
}

// Sends `flows` random connections through the table of `weights` and
// checks that each backend's count is within `tolerance` (relative) of its
// weighted share; a backend of weight 0 must get none.
void expect_spread(const std::vector<uint32_t>& weights, int flows, double tolerance) {
  const auto table = maglev_build(pool_with_weights(weights), XLB_RING_DEFAULT, 0x5eed);
  std::map<uint32_t, int> hits;
  FlowMaker maker(2016);
  for (int f = 0; f < flows; f++) hits[backend_of(maker.next(), table, 0)]++;
  uint64_t total_weight = 0;
  for (uint32_t w : weights) total_weight += w;
  double worst = 0;
  for (uint32_t id = 0; id < weights.size(); id++) {
    const double expected = static_cast<double>(flows) * weights[id] / total_weight;
    if (weights[id] == 0) {
      EXPECT_EQ(hits[id], 0) << "drained backend " << id;
      continue;
    }
    const double deviation = std::abs(hits[id] - expected) / expected;
    worst = std::max(worst, deviation);
    EXPECT_LE(deviation, tolerance) << "backend " << id << ": " << hits[id] << " of " << expected;
  }
  std::printf("[ figure   ] %zu backends, %d flows: worst deviation from share %.2f%%\n",
              weights.size(), flows, 100 * worst);
}

TEST(Spread, ThreeEqualBackends) { expect_spread(std::vector<uint32_t>(3, 1), kFlows, 0.05); }

TEST(Spread, TenEqualBackends) { expect_spread(std::vector<uint32_t>(10, 1), kFlows, 0.05); }

// With 100 backends each expects 1,000 of 100,000 flows, and 5% of that is
// only 1.6 standard deviations of a fair coin: about 11 backends would miss
// it by chance whatever the hash. Ten times the flows makes 5% a 5-sigma
// bound, so a miss means a real bias.
TEST(Spread, HundredEqualBackends) {
  expect_spread(std::vector<uint32_t>(100, 1), 10 * kFlows, 0.05);
}

TEST(Spread, WeightedBackends) { expect_spread({1, 2, 3, 4}, kFlows, 0.05); }

TEST(Spread, DrainedBackendGetsNoNewFlows) { expect_spread({5, 0, 5, 10}, kFlows, 0.05); }

TEST(Spread, SourceOnlyKeepsASourceOnOneBackend) {
  const auto table =
      maglev_build(pool_with_weights(std::vector<uint32_t>(10, 1)), XLB_RING_DEFAULT, 0x5eed);
  FlowMaker maker(99);
  std::map<uint32_t, int> sources_per_backend;
  for (int s = 0; s < 10000; s++) {
    const xlb_flow_key first = maker.next();
    const uint32_t backend = backend_of(first, table, 1);
    for (int c = 0; c < 10; c++) {
      ASSERT_EQ(backend_of(maker.same_source(first), table, 1), backend) << "source " << s;
    }
    sources_per_backend[backend]++;
  }
  // The sources themselves still spread: 1,000 each, 5 sigma is 15%.
  ASSERT_EQ(sources_per_backend.size(), 10u);
  for (const auto& [id, n] : sources_per_backend) EXPECT_NEAR(n, 1000, 150) << id;
}

TEST(Spread, FullTupleSpreadsOneSourceOverBackends) {
  const auto table =
      maglev_build(pool_with_weights(std::vector<uint32_t>(10, 1)), XLB_RING_DEFAULT, 0x5eed);
  FlowMaker maker(7);
  const xlb_flow_key source = maker.next();
  std::map<uint32_t, int> hits;
  for (int c = 0; c < 1000; c++) hits[backend_of(maker.same_source(source), table, 0)]++;
  EXPECT_EQ(hits.size(), 10u);
}

}  // namespace
}  // namespace xlb
