// Tunnels: path MTU (ICMP fragmentation needed, ICMPv6 packet too big) and
// the next hop (FIB, gateway fallback, nothing: drop counted).
#include <linux/bpf.h>

#include "model/ops.hpp"
#include "tunnel_fixture.hpp"

namespace xlb::test {
namespace {

uint16_t be16(const Bytes& b, size_t at) { return static_cast<uint16_t>(b[at] << 8 | b[at + 1]); }
uint32_t be32(const Bytes& b, size_t at) {
  return static_cast<uint32_t>(be16(b, at)) << 16 | be16(b, at + 2);
}

class TunnelMtuTest : public TunnelTest {
 protected:
  void SetUp() override {
    TunnelTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(ns_->ip("link set v0 mtu 1400")) << ns_->error();
  }
};

// A frame of `payload` bytes of TCP data whose tunnel packet cannot fit.
TEST_F(TunnelMtuTest, Ipv4WithDfGetsFragmentationNeeded) {
  add_tunnel_service("192.0.2.10", "10.9.0.2", Forward::gue);  // overhead 20 + 12
  Bytes in = client_frame("192.0.2.10", 6000, 1400 - 40);      // inner IP: 1400 bytes
  TestRunOutput out = run(in);
  ASSERT_EQ(out.action, XDP_TX) << "the error goes back to the client";
  auto r = parse_outer(out.frame);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->dst, mac("02:00:00:00:00:fe")) << "back to the router's MAC";
  EXPECT_EQ(r->src, mac("02:00:00:00:00:01"));
  EXPECT_EQ(r->src_ip, ip("192.0.2.10"));
  EXPECT_EQ(r->dst_ip, ip("100.64.0.7"));
  EXPECT_EQ(r->proto, 1);
  EXPECT_TRUE(r->ip_csum_ok);
  const Bytes& icmp = r->payload;
  ASSERT_EQ(icmp.size(), 8u + 20 + 8) << "IP header and 8 bytes quoted (RFC 792)";
  EXPECT_EQ(icmp[0], 3);
  EXPECT_EQ(icmp[1], 4);
  EXPECT_EQ(fold(ones_sum(icmp.data(), icmp.size())), 0) << "ICMP checksum";
  EXPECT_EQ(be16(icmp, 6), 1400 - 32) << "egress MTU less the encapsulation";
  EXPECT_EQ(Bytes(icmp.begin() + 8, icmp.end()), Bytes(in.begin() + 14, in.begin() + 14 + 28));
  EXPECT_EQ(stats().global[XLB_G_ICMP_TOO_BIG], 1u);
}

TEST_F(TunnelMtuTest, Ipv6GetsPacketTooBig) {
  add_tunnel_service("2001:db8::10", "fd09::2", Forward::ipip);  // overhead 40
  Bytes in = client_frame("2001:db8::10", 6000, 1400 - 60);      // inner IP: 1400 bytes
  TestRunOutput out = run(in);
  ASSERT_EQ(out.action, XDP_TX);
  auto r = parse_outer(out.frame);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->src_ip, ip("2001:db8::10"));
  EXPECT_EQ(r->dst_ip, ip("2001:db8:c::7"));
  EXPECT_EQ(r->proto, 58);
  const Bytes& icmp = r->payload;
  ASSERT_EQ(icmp.size(), 1280u - 40) << "as much as fits in 1280 bytes (RFC 4443)";
  EXPECT_EQ(icmp[0], 2);
  EXPECT_EQ(icmp[1], 0);
  uint32_t sum = pseudo_sum(r->src_ip, r->dst_ip, 58, icmp.size());
  EXPECT_EQ(fold(ones_sum(icmp.data(), icmp.size(), sum)), 0) << "ICMPv6 checksum";
  EXPECT_EQ(be32(icmp, 4), 1400u - 40);
  EXPECT_EQ(Bytes(icmp.begin() + 8, icmp.end()), Bytes(in.begin() + 14, in.begin() + 14 + 1232));
}

TEST_F(TunnelMtuTest, PacketTooBigNeverAdvertisesLessThan1280) {
  ASSERT_TRUE(ns_->ip("link set v0 mtu 1300")) << ns_->error();
  add_tunnel_service("2001:db8::10", "fd09::2", Forward::gue);  // overhead 52
  TestRunOutput out = run(client_frame("2001:db8::10", 6000, 1300));
  ASSERT_EQ(out.action, XDP_TX);
  auto r = parse_outer(out.frame);
  ASSERT_TRUE(r);
  EXPECT_EQ(be32(r->payload, 4), 1280u);
}

TEST_F(TunnelMtuTest, SmallEnoughPacketIsSent) {
  add_tunnel_service("192.0.2.10", "10.9.0.2", Forward::gue);
  // 1400 - 32 bytes of inner IP packet: exactly the MTU once encapsulated.
  TestRunOutput out = run(client_frame("192.0.2.10", 6000, 1400 - 32 - 40));
  EXPECT_EQ(out.action, XDP_REDIRECT);
  auto o = parse_outer(out.frame);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->payload.size() + 20, 1400u);
}

TEST_F(TunnelMtuTest, Ipv4WithoutDfTooBigIsDroppedCounted) {
  add_tunnel_service("192.0.2.10", "10.9.0.2", Forward::ipip);
  Bytes f = client_frame("192.0.2.10", 6000, 1400 - 40);
  f[20] &= ~0x40;
  f[24] = f[25] = 0;
  uint16_t c = inet_checksum(f.data() + 14, 20);
  f[24] = c >> 8;
  f[25] = c & 0xff;
  EXPECT_EQ(run(f).action, XDP_DROP);
  EXPECT_EQ(stats().global[XLB_G_DROP_TOO_BIG], 1u);
}

TEST_F(TunnelTest, BackendWithoutRouteGoesThroughTheGateway) {
  configure([](Config& c) -> Status {
    XLB_TRY(settings_set_tunnel(c, TunnelSetting::gateway4, ip("10.9.0.254")));
    return settings_set_tunnel(c, TunnelSetting::gateway6, ip("fd09::fe"));
  });
  add_tunnel_service("192.0.2.10", "172.31.0.5", Forward::gre);
  auto o = parse_outer(run(client_frame("192.0.2.10", 7000)).frame);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->dst, kGatewayMac4);
  EXPECT_EQ(o->dst_ip, ip("172.31.0.5")) << "still addressed to the backend";
  configure([](Config& c) { return service_del(c, by_name("svc")); });
  add_tunnel_service("192.0.2.10", "fd77::5", Forward::fou);
  o = parse_outer(run(client_frame("192.0.2.10", 7000)).frame);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->dst, kGatewayMac6);
  EXPECT_EQ(o->dst_ip, ip("fd77::5"));
}

TEST_F(TunnelTest, OnLinkBackendWithoutNeighbourUsesTheGateway) {
  configure(
      [](Config& c) { return settings_set_tunnel(c, TunnelSetting::gateway4, ip("10.9.0.254")); });
  add_tunnel_service("192.0.2.10", "10.9.0.77", Forward::ipip);
  auto o = parse_outer(run(client_frame("192.0.2.10", 7000)).frame);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->dst, kGatewayMac4);
}

TEST_F(TunnelTest, NoNextHopAndNoGatewayIsDroppedCounted) {
  add_tunnel_service("192.0.2.10", "172.31.0.5", Forward::gue);
  EXPECT_EQ(run(client_frame("192.0.2.10", 7000)).action, XDP_DROP);
  EXPECT_EQ(stats().global[XLB_G_DROP_NO_NEXTHOP], 1u);
  EXPECT_EQ(stats().global[XLB_G_DROP], 1u);
}

}  // namespace
}  // namespace xlb::test
