// Dynamic weights against the real datapath: with `weights flows`, the
// backend holding many live flows (placed by the program itself) gets a
// lower effective weight from xlb-healthd's computation, fewer Maglev slots
// and so fewer new flows; its established flows stay; the hysteresis keeps
// a second round from rewriting; static weights ignore the load.
#include <linux/bpf.h>

#include <map>

#include "datapath_fixture.hpp"
#include "health/health_checker.hpp"
#include "health/weights_follow.hpp"
#include "model/ops.hpp"

namespace xlb::test {
namespace {

const ServiceRef kWeb = by_name("web");

class DynamicWeightsTest : public DatapathTest {
 protected:
  void SetUp() override {
    DatapathTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    // 10.0.0.1 alone first: every one of the first clients lands there.
    configure([](Config& c) {
      Service s = make_service("web", Proto::tcp, "192.0.2.10", 80);
      s.weights = WeightMode::flows;
      s.backends.push_back(make_backend("10.0.0.1", backend_mac(1)));
      return service_add(c, std::move(s));
    });
  }

  void add_two_more() {
    configure([](Config& c) -> Status {
      XLB_TRY(backend_add(c, kWeb, make_backend("10.0.0.2", backend_mac(2))));
      return backend_add(c, kWeb, make_backend("10.0.0.3", backend_mac(3)));
    });
  }

  // One round of xlb-healthd's dynamic weights; how many services it wrote.
  size_t follow() {
    auto st = State::open(pin_path());
    EXPECT_TRUE(st.ok());
    auto loop = ProbeLoop::create();
    EXPECT_TRUE(loop.ok());
    auto nothing = [](const std::string&) {};
    HealthChecker checker(std::move(*loop), {}, nothing, nothing);
    auto cfg = st->read();
    EXPECT_TRUE(cfg.ok());
    auto n = follow_dynamic_weights(*st, *cfg, checker, nothing);
    EXPECT_TRUE(n.ok()) << n.error().message;
    return n ? *n : 0;
  }

  // Read from the pins (the fixture's config() is cached until configure()).
  uint32_t effective(const char* addr) {
    auto cfg = State::open(pin_path())->read();
    EXPECT_TRUE(cfg.ok());
    const Service* s = cfg->find_service("web");
    return s->table_weight(*s->find_backend(ip(addr)));
  }
};

TEST_F(DynamicWeightsTest, LoadedBackendGetsFewerNewFlows) {
  // 60 established connections on 10.0.0.1.
  send_all(0, 60, kTcpSyn);
  std::vector<IpAddr> established = send_all(0, 60, kTcpAck);
  ASSERT_EQ(histogram(established)[ip("10.0.0.1")], 60);
  add_two_more();
  // Before a round: 100 per unit of weight each, an even split.
  EXPECT_EQ(effective("10.0.0.1"), 100u);
  EXPECT_EQ(effective("10.0.0.2"), 100u);

  ASSERT_EQ(follow(), 1u);
  // avg 20 flows per unit: 10.0.0.1 21/61 of its share, the others 10x.
  EXPECT_EQ(effective("10.0.0.1"), 34u);
  EXPECT_EQ(effective("10.0.0.2"), 1000u);
  EXPECT_EQ(effective("10.0.0.3"), 1000u);
  EXPECT_EQ(follow(), 0u) << "the hysteresis keeps an unchanged load from rewriting";

  auto h = histogram(send_all(1000, 600, kTcpSyn));
  std::printf("new flows after the round: 10.0.0.1 %d, 10.0.0.2 %d, 10.0.0.3 %d\n",
              h[ip("10.0.0.1")], h[ip("10.0.0.2")], h[ip("10.0.0.3")]);
  EXPECT_LT(h[ip("10.0.0.1")] * 5, h[ip("10.0.0.2")]);
  EXPECT_LT(h[ip("10.0.0.1")] * 5, h[ip("10.0.0.3")]);
  // Established flows stay where they are.
  EXPECT_EQ(send_all(0, 60, kTcpAck), established);
}

TEST_F(DynamicWeightsTest, StaticWeightsIgnoreTheLoad) {
  send_all(0, 60, kTcpSyn);
  send_all(0, 60, kTcpAck);
  add_two_more();
  configure([](Config& c) {
    ServiceChange ch;
    ch.weights = WeightMode::fixed;
    return service_set(c, kWeb, ch);
  });
  EXPECT_EQ(follow(), 0u);
  EXPECT_EQ(effective("10.0.0.1"), 1u);
  auto h = histogram(send_all(1000, 600, kTcpSyn));
  EXPECT_GT(h[ip("10.0.0.1")], 150);  // about a third
}

}  // namespace
}  // namespace xlb::test
