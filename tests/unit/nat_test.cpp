// Health-check NAT addresses: one per (service, backend), inside the range
// of the VIP's family, and mapped back to the backend id.
#include <gtest/gtest.h>

#include "model/nat.hpp"

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

namespace xlb {
namespace {

TEST(NatRanges, MustHoldNoVipAndNoBackend) {
  Config c;
  Service s;
  s.name = "web";
  s.vip = *IpAddr::parse("192.0.2.10");
  s.port = 80;
  Backend b;
  b.addr = *IpAddr::parse("10.0.0.1");
  s.backends.push_back(b);
  c.services.push_back(s);
  EXPECT_TRUE(validate(c).ok());
  c.settings.nat4 = *IpPrefix::parse("192.0.2.0/24");
  ASSERT_FALSE(validate(c).ok());
  EXPECT_EQ(validate(c).error().message,
            "NAT range 192.0.2.0/24 contains VIP 192.0.2.10 of service web (choose another with "
            "`set nat4`)");
  c.settings.nat4 = *IpPrefix::parse("10.0.0.0/16");
  ASSERT_FALSE(validate(c).ok());
  EXPECT_NE(validate(c).error().message.find("contains backend 10.0.0.1"), std::string::npos);
  c.settings.nat4 = *IpPrefix::parse("100.64.0.0/16");
  EXPECT_TRUE(validate(c).ok());
}

TEST(NatRanges, HostAddressIsTheLastOneNoBackendGets) {
  Settings s;
  EXPECT_EQ(nat_host_address(s, XLB_AF_INET).str(), "198.18.255.255");
  EXPECT_EQ(nat_host_address(s, XLB_AF_INET6).str(), "fd00:786c:6200::ffff:ffff");
  s.nat4 = *IpPrefix::parse("100.127.0.0/22");
  EXPECT_EQ(nat_host_address(s, XLB_AF_INET).str(), "100.127.3.255");
}

}  // namespace
}  // namespace xlb
