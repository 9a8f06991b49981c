// How new flows spread over backends, through the real program: random
// 5-tuples against equal and unequal weights, and the exact choice the
// control plane predicts from the same Maglev table and flow hash (what
// makes every load balancer with the same configuration agree).
#include <arpa/inet.h>
#include <linux/bpf.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <random>

#include "datapath_fixture.hpp"
#include "model/maglev.hpp"
#include "model/ops.hpp"
#include "xlb_hash.h"

namespace xlb::test {
namespace {

class SpreadTest : public DatapathTest {
 protected:
  // Service "pool": tcp VIP, port 0 (every port); backend i has MAC
  // backend_mac(i) and the i-th weight.
  void configure_pool(const std::vector<uint32_t>& weights, bool v6 = false) {
    configure([&](Config& c) {
      Service s = make_service("pool", Proto::tcp, v6 ? "2001:db8::10" : "192.0.2.10", 0);
      for (uint32_t i = 0; i < weights.size(); i++) {
        IpAddr a = ip(v6 ? "fd00:be::" : "10.1.0.0");
        a.bytes[v6 ? 14 : 2] = i >> 8;
        a.bytes[v6 ? 15 : 3] = i;
        s.backends.push_back(make_backend(a.str().c_str(), backend_mac(i), weights[i]));
      }
      return service_add(c, std::move(s));
    });
  }

  static PacketSpec random_packet(std::mt19937& rng, bool v6) {
    PacketSpec p = make_packet("0.0.0.0", v6 ? "2001:db8::10" : "192.0.2.10", kProtoTcp,
                               rng() & 0xffff, rng() & 0xffff);
    p.ip.src = client_addr(rng(), v6);
    return p;
  }

  // Sends n random new flows; returns how many each backend index got.
  std::vector<uint64_t> send_random(size_t n, size_t backends, uint32_t seed) {
    std::mt19937 rng(seed);
    std::vector<uint64_t> got(backends, 0);
    auto start = std::chrono::steady_clock::now();
    for (size_t k = 0; k < n; k++) {
      auto out = test_run(prog_fd(), frame(random_packet(rng, false)));
      if (!out.ok() || out->action != XDP_TX) {
        ADD_FAILURE() << "packet " << k << " was not sent";
        return got;
      }
      uint32_t i = (out->frame[3] << 16) | (out->frame[4] << 8) | out->frame[5];
      if (i >= backends) {
        ADD_FAILURE() << "packet " << k << " went to no backend";
        return got;
      }
      got[i]++;
    }
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                  std::chrono::steady_clock::now() - start)
                  .count();
    RecordProperty("ns_per_test_run", std::to_string(ns / n));
    return got;
  }

  // Every backend's count is within `tolerance` (relative) of its share.
  static void expect_shares(const std::vector<uint64_t>& got, const std::vector<uint32_t>& weights,
                            double tolerance) {
    double total_weight = 0, total = 0;
    for (uint32_t w : weights) total_weight += w;
    for (uint64_t g : got) total += g;
    for (size_t i = 0; i < got.size(); i++) {
      double want = total * weights[i] / total_weight;
      EXPECT_LE(std::fabs(got[i] - want) / want, tolerance)
          << "backend " << i << " (weight " << weights[i] << ") got " << got[i] << ", share "
          << want;
    }
  }
};

// 100,000 random flows land within 5% of each backend's share. For 100
// backends a share is 1,000 flows, whose sampling noise alone (sd ~3.2%)
// would break 5% somewhere among 100 backends most of the time: that case
// sends 1,000,000 flows (sd 1%), which the program handles in seconds.
struct EqualCase {
  size_t backends;
  size_t flows;
};

void PrintTo(const EqualCase& c, std::ostream* os) { *os << c.backends << " backends"; }

class EqualSpread : public SpreadTest, public ::testing::WithParamInterface<EqualCase> {};

TEST_P(EqualSpread, WithinFivePercentOfAnEqualShare) {
  const EqualCase& c = GetParam();
  std::vector<uint32_t> weights(c.backends, 1);
  configure_pool(weights);
  expect_shares(send_random(c.flows, c.backends, 42), weights, 0.05);
}

INSTANTIATE_TEST_SUITE_P(Backends, EqualSpread,
                         ::testing::Values(EqualCase{3, 100000}, EqualCase{10, 100000},
                                           EqualCase{100, 1000000}),
                         [](const auto& info) { return std::to_string(info.param.backends); });

TEST_F(SpreadTest, UnequalWeightsGetProportionalShares) {
  const std::vector<uint32_t> weights = {1, 2, 3, 4, 10};
  configure_pool(weights);
  expect_shares(send_random(100000, weights.size(), 7), weights, 0.05);
}

TEST_F(SpreadTest, ZeroWeightGetsNothing) {
  const std::vector<uint32_t> weights = {1, 0, 1};
  configure_pool(weights);
  std::vector<uint64_t> got = send_random(3000, weights.size(), 9);
  EXPECT_EQ(got[1], 0u);
  EXPECT_GT(got[0], 1200u);
  EXPECT_GT(got[2], 1200u);
}

// The control plane's prediction, from core's Maglev builder and the shared
// flow hash, is exactly what the program does: same key layout, same seed,
// same slot.
class PredictionTest : public SpreadTest, public ::testing::WithParamInterface<bool> {};

TEST_P(PredictionTest, ProgramChoosesWhatTheControlPlanePredicts) {
  const bool v6 = GetParam();
  configure_pool({1, 2, 1, 5, 1, 1, 3}, v6);
  Config c = config();
  const Service& s = c.services.at(0);
  std::vector<MaglevEntry> entries;
  for (const Backend& b : s.backends) entries.push_back({b.addr, b.weight, b.id});
  std::vector<uint32_t> table = maglev_build(entries, s.ring, c.settings.seed);
  ASSERT_EQ(table.size(), s.ring);

  std::mt19937 rng(1234);
  for (int k = 0; k < 5000; k++) {
    PacketSpec p = random_packet(rng, v6);
    xlb_flow_key key;
    std::memset(&key, 0, sizeof(key));
    key.src = p.ip.src.to_abi();
    key.dst = p.ip.dst.to_abi();
    key.sport = htons(p.l4.sport);
    key.dport = htons(p.l4.dport);
    key.proto = kProtoTcp;
    key.family = p.ip.src.family;
    uint32_t predicted = table[xlb_ring_slot(xlb_flow_hash(&key, c.settings.seed, 0), s.ring)];
    ASSERT_EQ(backend(run_to_backend(frame(p))).id, predicted) << "packet " << k;
  }
}

INSTANTIATE_TEST_SUITE_P(Family, PredictionTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "ipv6" : "ipv4"; });

}  // namespace
}  // namespace xlb::test
