// Addresses as operators write them: parsing, printing, bad inputs.
#include "base/addr.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace xlb {
namespace {

using namespace std::string_literals;

// ------------------------------------------------------------------- IpAddr

TEST(IpAddr, ParsesIpv4) {
  auto a = IpAddr::parse("192.0.2.10");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->family, XLB_AF_INET);
  EXPECT_FALSE(a->is_v6());
  EXPECT_EQ(a->bytes[0], 192);
  EXPECT_EQ(a->bytes[3], 10);
  for (size_t i = 4; i < 16; i++) EXPECT_EQ(a->bytes[i], 0) << i;
  EXPECT_EQ(a->str(), "192.0.2.10");
}

TEST(IpAddr, ParsesIpv6AndPrintsItCanonically) {
  auto a = IpAddr::parse("2001:DB8:0:0:0:0:0:1");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->is_v6());
  EXPECT_EQ(a->family, XLB_AF_INET6);
  EXPECT_EQ(a->str(), "2001:db8::1");
  EXPECT_EQ(IpAddr::parse("::")->str(), "::");
  EXPECT_EQ(IpAddr::parse("::1")->str(), "::1");
  EXPECT_EQ(IpAddr::parse("::ffff:192.0.2.1")->str(), "::ffff:192.0.2.1");
}

TEST(IpAddr, MappedIpv4IsAnIpv6Address) {
  auto mapped = IpAddr::parse("::ffff:192.0.2.1");
  ASSERT_TRUE(mapped);
  EXPECT_TRUE(mapped->is_v6());
  EXPECT_NE(*mapped, *IpAddr::parse("192.0.2.1"));
}

TEST(IpAddr, RejectsBadInput) {
  for (const char* bad :
       {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.04", "0x1.2.3.4", " 1.2.3.4",
        "1.2.3.4 ", ":::", "1:2:3:4:5:6:7:8:9", "fe80::1%eth0", "2001:db8::/32", "192.0.2.0/24",
        "localhost", "[::1]", "1.2.3.4:80"}) {
    EXPECT_FALSE(IpAddr::parse(bad)) << bad;
  }
}

TEST(IpAddr, RoundTripsThroughText) {
  for (const char* text : {"0.0.0.0", "255.255.255.255", "10.1.2.3", "::", "::1", "2001:db8::10",
                           "fe80::1:2:3:4", "::ffff:10.0.0.1"}) {
    auto a = IpAddr::parse(text);
    ASSERT_TRUE(a) << text;
    EXPECT_EQ(a->str(), text);
    EXPECT_EQ(IpAddr::parse(a->str()), a) << text;
  }
}

// glibc's inet_ntop prints an address whose first 96 bits are zero in the
// old IPv4-compatible form. Parsing it back gives the same address.
TEST(IpAddr, Ipv4CompatibleFormIsPrintedDotted) {
  auto a = IpAddr::parse("::1:80");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->str(), "::0.1.0.128");
  EXPECT_EQ(IpAddr::parse(a->str()), a);
}

TEST(IpAddr, AbiRoundTrip) {
  for (const char* text : {"198.51.100.7", "2001:db8::7"}) {
    IpAddr a = *IpAddr::parse(text);
    xlb_addr abi = a.to_abi();
    EXPECT_EQ(IpAddr::from_abi(abi, a.family), a) << text;
  }
  xlb_addr abi = IpAddr::parse("198.51.100.7")->to_abi();
  EXPECT_EQ(abi.b[0], 198);
  for (int i = 4; i < 16; i++) EXPECT_EQ(abi.b[i], 0) << i;
}

TEST(IpAddr, FromAbiIgnoresBytesBeyondIpv4) {
  xlb_addr abi{};
  abi.b[0] = 10;
  abi.b[3] = 1;
  abi.b[9] = 0xaa;  // junk a v4 key should never carry
  EXPECT_EQ(IpAddr::from_abi(abi, XLB_AF_INET), *IpAddr::parse("10.0.0.1"));
}

TEST(IpAddr, OrdersByFamilyThenBytes) {
  std::vector<IpAddr> addrs = {*IpAddr::parse("::1"), *IpAddr::parse("10.0.0.2"),
                               *IpAddr::parse("10.0.0.1"), *IpAddr::parse("::")};
  std::sort(addrs.begin(), addrs.end());
  std::vector<std::string> printed;
  for (const auto& a : addrs) printed.push_back(a.str());
  EXPECT_EQ(printed, (std::vector<std::string>{"10.0.0.1", "10.0.0.2", "::", "::1"}));
}

// ------------------------------------------------------------------ MacAddr

TEST(MacAddr, ParsesAndPrintsLowercase) {
  auto m = MacAddr::parse("02:AB:cd:00:00:01");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->bytes[1], 0xab);
  EXPECT_EQ(m->str(), "02:ab:cd:00:00:01");
  EXPECT_FALSE(m->is_zero());
  EXPECT_TRUE(MacAddr::parse("00:00:00:00:00:00")->is_zero());
  EXPECT_TRUE(MacAddr{}.is_zero());
}

TEST(MacAddr, RejectsBadInput) {
  for (const char* bad :
       {"", "02:00:00:00:00:0", "02:00:00:00:00:001", "02-00-00-00-00-01", "0200.0000.0001",
        "aa:bb:cc:dd:ee:fg", "aa:bb:cc:dd:ee:ff:", "+a:bb:cc:dd:ee:ff", "-a:bb:cc:dd:ee:ff",
        "0x:bb:cc:dd:ee:ff", " a:bb:cc:dd:ee:ff", "aabb:cc:dd:ee:ff:", "a:b:c:d:e:f"}) {
    EXPECT_FALSE(MacAddr::parse(bad)) << bad;
  }
}

// ----------------------------------------------------------------- Endpoint

TEST(Endpoint, Ipv4WithAndWithoutPort) {
  auto e = Endpoint::parse("192.0.2.10:80");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->addr, *IpAddr::parse("192.0.2.10"));
  EXPECT_EQ(e->port, 80);
  EXPECT_EQ(e->str(), "192.0.2.10:80");
  auto bare = Endpoint::parse("192.0.2.10");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->port, 0);
  EXPECT_EQ(bare->str(), "192.0.2.10");
}

TEST(Endpoint, Ipv6NeedsBracketsForAPort) {
  auto e = Endpoint::parse("[2001:db8::10]:53");
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->addr.is_v6());
  EXPECT_EQ(e->port, 53);
  EXPECT_EQ(e->str(), "[2001:db8::10]:53");
  auto bracketed = Endpoint::parse("[::1]");
  ASSERT_TRUE(bracketed);
  EXPECT_EQ(bracketed->port, 0);
  EXPECT_EQ(bracketed->str(), "[::1]");  // brackets always: a bare one is ambiguous
}

// Without brackets "::1:80" could be ::1 port 80 or every port of ::1:80:
// refused (the grammar says how to write either); "[::1:80]" is the latter.
TEST(Endpoint, UnbracketedIpv6IsRefused) {
  EXPECT_FALSE(Endpoint::parse("::1:80"));
  EXPECT_FALSE(Endpoint::parse("::"));
  auto e = Endpoint::parse("[::1:80]");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->port, 0);
  EXPECT_EQ(e->addr, *IpAddr::parse("::1:80"));
  auto any = Endpoint::parse("[::]:*");
  ASSERT_TRUE(any);
  EXPECT_EQ(any->port, 0);
  EXPECT_TRUE(any->addr.is_v6());
  EXPECT_EQ(any->display(), "[::]:*");
}

TEST(Endpoint, PortBounds) {
  EXPECT_EQ(Endpoint::parse("1.2.3.4:65535")->port, 65535);
  EXPECT_EQ(Endpoint::parse("1.2.3.4:0")->port, 0);
  EXPECT_EQ(Endpoint::parse("1.2.3.4:0")->str(), "1.2.3.4");
  EXPECT_EQ(Endpoint::parse("[::1]:1")->port, 1);
  EXPECT_FALSE(Endpoint::parse("1.2.3.4:65536"));
  EXPECT_FALSE(Endpoint::parse("1.2.3.4:99999"));
  EXPECT_FALSE(Endpoint::parse("[::1]:99999"));
}

TEST(Endpoint, RejectsBadInput) {
  for (const char* bad : {"",
                          "1.2.3",
                          "[::1",
                          "[::1]:",
                          "1.2.3.4:",
                          ":80",
                          "[]:80",
                          "[]",
                          "[::1]80",
                          "[::1]x",
                          "[1.2.3.4]:80",
                          "[1.2.3.4]",
                          "1.2.3.4:80:90",
                          "[::1]:80:90",
                          "1.2.3.4:+80",
                          "1.2.3.4:-1",
                          "1.2.3.4: 80",
                          "1.2.3.4:8 0",
                          " [::1]:80",
                          "[::1]:http",
                          "host:80",
                          "1.2.3.4:0x50",
                          "[[::1]]:80"}) {
    EXPECT_FALSE(Endpoint::parse(bad)) << bad;
  }
}

TEST(Endpoint, RoundTripsThroughText) {
  for (const char* text : {"192.0.2.10:80", "192.0.2.10", "[2001:db8::10]:53", "[2001:db8::10]",
                           "[::ffff:10.0.0.1]:443", "[::]"}) {
    auto e = Endpoint::parse(text);
    ASSERT_TRUE(e) << text;
    EXPECT_EQ(e->str(), text);
    auto again = Endpoint::parse(e->str());
    ASSERT_TRUE(again) << text;
    EXPECT_EQ(again->addr, e->addr);
    EXPECT_EQ(again->port, e->port);
  }
}

// Leading zeros in a port are accepted (std::from_chars), as by ipvsadm's
// atoi-based parser.
TEST(Endpoint, PortWithLeadingZeros) { EXPECT_EQ(Endpoint::parse("1.2.3.4:080")->port, 80); }

// ---------------------------------------------------------------- parse_uint

TEST(ParseUint, Bounds) {
  EXPECT_EQ(parse_uint("0", 0, 10), 0u);
  EXPECT_EQ(parse_uint("10", 0, 10), 10u);
  EXPECT_EQ(parse_uint("18446744073709551615", 0, UINT64_MAX), UINT64_MAX);
  EXPECT_FALSE(parse_uint("11", 0, 10));
  EXPECT_FALSE(parse_uint("4", 5, 10));
  EXPECT_FALSE(parse_uint("18446744073709551616", 0, UINT64_MAX));
}

TEST(ParseUint, RejectsBadInput) {
  for (const char* bad : {"", "-1", "+1", " 1", "1 ", "1.0", "0x10", "1e3", "ten"}) {
    EXPECT_FALSE(parse_uint(bad, 0, 1000)) << bad;
  }
}

// ------------------------------------------------------- embedded NUL bytes

// Text from a ruleset file may hold a NUL byte. IpAddr::parse() hands
// std::string::c_str() to inet_pton(), which stops at the NUL, so the rest
// of the token is silently ignored. Disabled until core/base/addr.cpp rejects
// such input (reported, not fixed here: the file is not ours).
TEST(IpAddr, RejectsEmbeddedNul) {
  EXPECT_FALSE(IpAddr::parse("1.2.3.4\0junk"s));
  EXPECT_FALSE(Endpoint::parse("1.2.3.4\0:80"s));
}

}  // namespace
}  // namespace xlb
