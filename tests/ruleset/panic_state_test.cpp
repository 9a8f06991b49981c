// The panic threshold against real pins: when fewer than P% of a service's
// enabled backends are healthy, the down ones take new flows again (their
// backend entries lose XLB_BE_DOWN, so the datapath neither skips them in
// the Maglev table nor re-balances their flows), the entry into panic is
// counted once, and leaving panic (or `panic 0%`) restores health's say.
#include <bpf/bpf.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "ruleset_fixture.hpp"
#include "state/state.hpp"

namespace xlb::test {
namespace {

class Panic : public PinnedTest {
 protected:
  // Marks the backends at `addrs` down (as xlb-healthd does) or up.
  void set_health(std::initializer_list<const char*> addrs, Health h) {
    auto st = State::open(pin_path());
    ASSERT_TRUE(st.ok()) << st.error().message;
    Status s = st->update([&](Config& c) {
      for (const char* a : addrs) c.services[0].find_backend(*IpAddr::parse(a))->health = h;
      return Status{};
    });
    ASSERT_TRUE(s.ok()) << s.error().message;
  }
  // The datapath's flags of backend `addr`.
  uint8_t be_flags(const char* addr) {
    const Backend* b = live().services[0].find_backend(*IpAddr::parse(addr));
    auto st = State::open(pin_path());
    xlb_backend e{};
    EXPECT_EQ(bpf_map_lookup_elem(st->maps().backends(), &b->id, &e), 0);
    return e.flags;
  }
  nlohmann::json service_json() {
    RunResult r = xlb({"-j", "service", "list"});
    EXPECT_EQ(r.status, 0) << r.err;
    return nlohmann::json::parse(r.out)["services"][0];
  }
};

TEST_F(Panic, DownBackendsTakeFlowsBelowTheThreshold) {
  apply(
      "service add web tcp 192.0.2.10:80 panic 50%\n"
      "backend add web 10.0.0.1 mac 02:00:00:00:00:01\n"
      "backend add web 10.0.0.2 mac 02:00:00:00:00:02\n"
      "backend add web 10.0.0.3 mac 02:00:00:00:00:03\n"
      "backend add web 10.0.0.4 mac 02:00:00:00:00:04\n");
  set_health({"10.0.0.3", "10.0.0.4"}, Health::down);  // 50%: not below
  EXPECT_EQ(be_flags("10.0.0.4") & XLB_BE_DOWN, XLB_BE_DOWN);
  EXPECT_FALSE(service_json()["in_panic"].get<bool>());
  set_health({"10.0.0.2"}, Health::down);  // 25%: panic
  EXPECT_EQ(be_flags("10.0.0.4") & XLB_BE_DOWN, 0);
  EXPECT_EQ(be_flags("10.0.0.2") & XLB_BE_DOWN, 0);
  auto j = service_json();
  EXPECT_TRUE(j["in_panic"].get<bool>());
  EXPECT_EQ(j["panics"].get<uint32_t>(), 1u);
  set_health({"10.0.0.3"}, Health::down);  // still in panic: not counted again
  EXPECT_EQ(service_json()["panics"].get<uint32_t>(), 1u);
  EXPECT_EQ(xlb({"service", "set", "web", "panic", "0%"}).status, 0);
  EXPECT_EQ(be_flags("10.0.0.4") & XLB_BE_DOWN, XLB_BE_DOWN);
  j = service_json();
  EXPECT_FALSE(j["in_panic"].get<bool>());
  EXPECT_EQ(j["panics"].get<uint32_t>(), 1u);
  EXPECT_EQ(xlb({"service", "set", "web", "panic", "60%"}).status, 0);  // back in: counted
  EXPECT_EQ(service_json()["panics"].get<uint32_t>(), 2u);
  EXPECT_NE(list_ruleset().find("panic 60%"), std::string::npos);
}

}  // namespace
}  // namespace xlb::test
