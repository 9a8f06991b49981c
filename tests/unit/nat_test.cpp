// Health-check NAT addresses: one per (service, backend), inside the range
// of the VIP's family, and mapped back to the backend id.
#include <gtest/gtest.h>

#include "nat.hpp"

namespace {

using namespace xlb;

Service service(const char* vip) {
  Service s;
  s.vip = *IpAddr::parse(vip);
  return s;
}

Backend backend(uint32_t id) {
  Backend b;
  b.id = id;
  return b;
}

TEST(Nat, DefaultRangesGiveIdPlusOne) {
  Settings s;
  EXPECT_EQ(nat_address(s, service("192.0.2.10"), backend(0))->str(), "198.18.0.1");
  EXPECT_EQ(nat_address(s, service("192.0.2.10"), backend(300))->str(), "198.18.1.45");
  EXPECT_EQ(nat_address(s, service("2001:db8::10"), backend(0xabcd))->str(),
            "fd00:786c:6200::abce");
}

TEST(Nat, ConfiguredRangeAndReverse) {
  Settings s;
  s.nat4 = IpPrefix::parse("100.64.8.0/24");
  auto a = nat_address(s, service("192.0.2.10"), backend(7));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->str(), "100.64.8.8");
  EXPECT_EQ(nat_backend_id(s, *a), 7u);
  EXPECT_FALSE(nat_backend_id(s, *IpAddr::parse("100.64.9.8")));
  EXPECT_FALSE(nat_backend_id(s, *IpAddr::parse("100.64.8.0")));
}

TEST(Nat, NoAddressWithoutIdOrRoom) {
  Settings s;
  s.nat4 = IpPrefix::parse("100.64.8.0/24");
  EXPECT_FALSE(nat_address(s, service("192.0.2.10"), backend(XLB_NO_BACKEND)));
  EXPECT_TRUE(nat_address(s, service("192.0.2.10"), backend(253)));
  EXPECT_FALSE(nat_address(s, service("192.0.2.10"), backend(254)));
}

}  // namespace
