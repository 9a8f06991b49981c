// Backend tiers (`priority N`): new flows go to the best tier with a usable
// backend; a backup tier takes over when the primaries cannot and hands
// back when one recovers; established flows stay where they are.
#include <linux/bpf.h>

#include <map>

#include "datapath_fixture.hpp"
#include "model/ops.hpp"

namespace xlb::test {
namespace {

constexpr int kClients = 200;
const ServiceRef kWeb = by_name("web");

// 10.0.0.1 and 10.0.0.2 primaries (priority 0), 10.0.0.11 and 10.0.0.12
// backups (priority 1), 10.0.0.21 a second backup tier (priority 2).
class TierTest : public DatapathTest {
 protected:
  void SetUp() override {
    DatapathTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    configure([](Config& c) {
      Service s = make_service("web", Proto::tcp, "192.0.2.10", 80);
      for (auto [last, prio] : {std::pair{1, 0}, {2, 0}, {11, 1}, {12, 1}, {21, 2}}) {
        Backend b = make_backend(("10.0.0." + std::to_string(last)).c_str(),
                                 backend_mac(static_cast<uint32_t>(last)));
        b.priority = static_cast<uint32_t>(prio);
        s.backends.push_back(b);
      }
      return service_add(c, std::move(s));
    });
  }

  void set_health(const char* addr, Health h) {
    configure([&](Config& c) { return backend_set_health(c, kWeb, ip(addr), h); });
  }
};

TEST_F(TierTest, NewFlowsGoToTheFirstTierOnly) {
  auto h = histogram(send_all(0, kClients, kTcpSyn));
  EXPECT_EQ(h.size(), 2u);
  EXPECT_GT(h[ip("10.0.0.1")], 0);
  EXPECT_GT(h[ip("10.0.0.2")], 0);
}

TEST_F(TierTest, BackupsTakeOverAndHandBackWithFlowsKept) {
  std::vector<IpAddr> primary = send_all(0, kClients, kTcpSyn);
  set_health("10.0.0.1", Health::down);
  set_health("10.0.0.2", Health::down);
  // The primaries' flows move to the backups; new ones go there too.
  std::vector<IpAddr> on_backups = send_all(0, kClients, kTcpAck);
  auto h = histogram(send_all(kClients, kClients, kTcpSyn));
  EXPECT_EQ(h.size(), 2u);
  EXPECT_GT(h[ip("10.0.0.11")], 0);
  EXPECT_GT(h[ip("10.0.0.12")], 0);
  for (const IpAddr& a : on_backups) EXPECT_TRUE(a == ip("10.0.0.11") || a == ip("10.0.0.12"));

  // One primary recovers: new flows go back to the first tier, and the
  // connections now on the backups stay there.
  set_health("10.0.0.2", Health::up);
  EXPECT_EQ(send_all(0, kClients, kTcpAck), on_backups);
  auto back = histogram(send_all(2 * kClients, kClients, kTcpSyn));
  EXPECT_EQ(back.size(), 1u);
  EXPECT_EQ(back[ip("10.0.0.2")], kClients);
  EXPECT_EQ(stats().global[XLB_G_DROP_NO_BACKEND], 0u);
}

TEST_F(TierTest, DrainAndDeletionOfTheActiveTierAlsoFallThrough) {
  configure([](Config& c) -> Status {
    XLB_TRY(backend_set_admin(c, kWeb, ip("10.0.0.1"), Admin::disabled));
    XLB_TRY(backend_del(c, kWeb, ip("10.0.0.2")));
    XLB_TRY(backend_set_weight(c, kWeb, ip("10.0.0.11"), 0));
    return backend_set_admin(c, kWeb, ip("10.0.0.12"), Admin::disabled);
  });
  auto h = histogram(send_all(0, kClients, kTcpSyn));
  EXPECT_EQ(h.size(), 1u);
  EXPECT_EQ(h[ip("10.0.0.21")], kClients);
}

TEST_F(TierTest, PriorityChangesThroughTheOps) {
  configure([](Config& c) -> Status {
    XLB_TRY(backend_set_priority(c, kWeb, ip("10.0.0.1"), 3));
    return backend_set_priority(c, kWeb, ip("10.0.0.2"), 3);
  });
  auto h = histogram(send_all(0, kClients, kTcpSyn));
  EXPECT_EQ(h.size(), 2u);
  EXPECT_GT(h[ip("10.0.0.11")], 0);
  EXPECT_GT(h[ip("10.0.0.12")], 0);
}

}  // namespace
}  // namespace xlb::test
