// Every encapsulation in every family mix, checked field by field by the
// test's own parser (tunnel_fixture.cpp): outer Ethernet, IP and tunnel
// headers, checksums, and the inner packet byte for byte.
#include <linux/bpf.h>

#include <set>

#include "model/ops.hpp"
#include "tunnel_fixture.hpp"

namespace xlb::test {
namespace {

struct Mix {
  Forward method;
  bool outer_v6, inner_v6;
};

std::string mix_name(const Mix& m) {
  return to_string(m.method) + "_" + (m.inner_v6 ? "6" : "4") + "in" + (m.outer_v6 ? "6" : "4");
}

void PrintTo(const Mix& m, std::ostream* os) { *os << mix_name(m); }

std::vector<Mix> all_mixes() {
  std::vector<Mix> v;
  for (Forward f : {Forward::ipip, Forward::gre, Forward::gue, Forward::fou})
    for (bool outer : {false, true})
      for (bool inner : {false, true}) v.push_back({f, outer, inner});
  return v;
}

const char* vip_of(bool v6) { return v6 ? "2001:db8::10" : "192.0.2.10"; }
const char* backend_of(bool v6) { return v6 ? "fd09::2" : "10.9.0.2"; }

class TunnelMixTest : public TunnelTest, public ::testing::WithParamInterface<Mix> {
 protected:
  void SetUp() override {
    TunnelTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    add_tunnel_service(vip_of(GetParam().inner_v6), backend_of(GetParam().outer_v6),
                       GetParam().method);
  }

  // The tunnel header and the inner packet, as the method lays them out.
  void expect_tunnel(const Outer& o, const Bytes& inner) {
    const Mix& m = GetParam();
    uint8_t inner_proto = m.inner_v6 ? 41 : 4;
    switch (m.method) {
      case Forward::ipip:
        EXPECT_EQ(o.proto, inner_proto);
        EXPECT_EQ(o.payload, inner);
        break;
      case Forward::gre: {
        EXPECT_EQ(o.proto, 47);
        ASSERT_GE(o.payload.size(), 4u);
        Bytes hdr{0, 0, static_cast<uint8_t>(m.inner_v6 ? 0x86 : 0x08),
                  static_cast<uint8_t>(m.inner_v6 ? 0xdd : 0x00)};
        EXPECT_EQ(Bytes(o.payload.begin(), o.payload.begin() + 4), hdr);
        EXPECT_EQ(Bytes(o.payload.begin() + 4, o.payload.end()), inner);
        break;
      }
      default:
        expect_udp(o, inner, inner_proto);
    }
  }

  void expect_udp(const Outer& o, const Bytes& inner, uint8_t inner_proto) {
    bool gue = GetParam().method == Forward::gue;
    auto u = parse_udp(o);
    ASSERT_TRUE(u) << "not a UDP datagram of the right length";
    EXPECT_TRUE(u->csum_ok) << "UDP checksum " << u->check;
    EXPECT_GE(u->sport, 49152);
    EXPECT_EQ(u->dport, gue ? 6080 : 5555);
    if (!gue) {
      EXPECT_EQ(u->payload, inner);
      return;
    }
    ASSERT_GE(u->payload.size(), 4u);
    EXPECT_EQ(Bytes(u->payload.begin(), u->payload.begin() + 4), (Bytes{0, inner_proto, 0, 0}));
    EXPECT_EQ(Bytes(u->payload.begin() + 4, u->payload.end()), inner);
  }

  std::optional<Udp> udp_of(uint16_t client_port) {
    TestRunOutput out = run(client_frame(vip_of(GetParam().inner_v6), client_port));
    auto o = parse_outer(out.frame);
    return o ? parse_udp(*o) : std::nullopt;
  }
};

TEST_P(TunnelMixTest, OuterHeadersFieldByFieldAndInnerPacketIntact) {
  const Mix& m = GetParam();
  Bytes in = client_frame(vip_of(m.inner_v6), 40000);
  Bytes inner(in.begin() + 14, in.end());
  TestRunOutput out = run(in);
  ASSERT_EQ(out.action, XDP_REDIRECT) << "the next hop is on v0, not the ingress device";
  auto o = parse_outer(out.frame);
  ASSERT_TRUE(o) << "no outer IP header";
  EXPECT_EQ(o->dst, m.outer_v6 ? kBackendMac6 : kBackendMac4);
  EXPECT_EQ(o->src, kV0Mac);
  EXPECT_EQ(o->ethertype, m.outer_v6 ? 0x86dd : 0x0800);
  EXPECT_EQ(o->version, m.outer_v6 ? 6 : 4);
  EXPECT_EQ(o->src_ip, ip(m.outer_v6 ? "fd09::1" : "10.9.0.1"));
  EXPECT_EQ(o->dst_ip, ip(backend_of(m.outer_v6)));
  EXPECT_EQ(o->ttl, 64);
  EXPECT_EQ(o->tos, 0xb8) << "DSCP copied from the inner packet";
  if (!m.outer_v6) {
    EXPECT_TRUE(o->ip_csum_ok);
    EXPECT_TRUE(o->df) << "DF from the inner IPv4 DF, or for inner IPv6";
  }
  expect_tunnel(*o, inner);
  EXPECT_EQ(stats().global[XLB_G_REDIRECT], 1u);
}

// The UDP methods only: they have a source port.
class TunnelEntropyTest : public TunnelMixTest {};

TEST_P(TunnelEntropyTest, EntropyPortStableWithinAFlowDistinctAcrossFlows) {
  std::set<uint16_t> ports;
  for (uint16_t p = 1000; p < 1016; p++) {
    auto first = udp_of(p), again = udp_of(p);
    ASSERT_TRUE(first && again);
    EXPECT_EQ(first->sport, again->sport) << "flow " << p;
    ports.insert(first->sport);
  }
  EXPECT_GE(ports.size(), 12u) << "16 flows, 16384 ports";
}

TEST_P(TunnelMixTest, EveryFrameSizeChecksummedRight) {
  // Odd and even lengths, every low byte of the length (the pseudo-header
  // sum carries), and sums across the 512-byte chunks.
  std::vector<size_t> sizes;
  for (size_t n = 0; n < 300; n++) sizes.push_back(n);
  for (size_t n : {471, 472, 473, 985, 1300}) sizes.push_back(n);
  for (size_t payload : sizes) {
    TestRunOutput out = run(client_frame(vip_of(GetParam().inner_v6), 3000, payload));
    ASSERT_EQ(out.action, XDP_REDIRECT) << payload;
    auto o = parse_outer(out.frame);
    ASSERT_TRUE(o) << payload;
    if (!GetParam().outer_v6) {
      EXPECT_TRUE(o->ip_csum_ok) << payload;
    }
    if (o->proto == 17) {
      auto u = parse_udp(*o);
      ASSERT_TRUE(u) << payload;
      EXPECT_TRUE(u->csum_ok) << payload;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Mixes, TunnelMixTest, ::testing::ValuesIn(all_mixes()),
                         [](const auto& info) { return mix_name(info.param); });

std::vector<Mix> udp_mixes() {
  std::vector<Mix> v;
  for (const Mix& m : all_mixes())
    if (m.method == Forward::gue || m.method == Forward::fou) v.push_back(m);
  return v;
}

INSTANTIATE_TEST_SUITE_P(UdpMixes, TunnelEntropyTest, ::testing::ValuesIn(udp_mixes()),
                         [](const auto& info) { return mix_name(info.param); });

TEST_F(TunnelTest, ServicePortIsTheOuterDestinationPort) {
  add_tunnel_service("192.0.2.10", "10.9.0.2", Forward::gue, 7777);
  auto o = parse_outer(run(client_frame("192.0.2.10", 5000)).frame);
  ASSERT_TRUE(o);
  auto u = parse_udp(*o);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->dport, 7777);
}

TEST_F(TunnelTest, InnerIpv4WithoutDfGivesOuterWithoutDf) {
  add_tunnel_service("192.0.2.10", "10.9.0.2", Forward::ipip);
  Bytes f = client_frame("192.0.2.10", 5000);
  f[20] &= ~0x40;  // clear DF, fix the checksum
  f[24] = f[25] = 0;
  uint16_t c = inet_checksum(f.data() + 14, 20);
  f[24] = c >> 8;
  f[25] = c & 0xff;
  auto o = parse_outer(run(f).frame);
  ASSERT_TRUE(o);
  EXPECT_FALSE(o->df);
  EXPECT_TRUE(o->ip_csum_ok);
  EXPECT_EQ(o->payload, Bytes(f.begin() + 14, f.end()));
}

TEST_F(TunnelTest, NextHopOutOfTheIngressDeviceIsXdpTx) {
  add_tunnel_service("192.0.2.10", "10.9.0.2", Forward::gre);
  TestRunOutput out = run_on(client_frame("192.0.2.10", 5000), ns_->ifindex("v0"));
  EXPECT_EQ(out.action, XDP_TX);
  auto o = parse_outer(out.frame);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->dst, kBackendMac4);
}

TEST_F(TunnelTest, EstablishedFlowsFollowAMethodChange) {
  configure([](Config& c) {
    Service s = make_service("svc", Proto::tcp, "192.0.2.10", 80);
    s.backends.push_back(make_backend("10.9.0.2", kBackendMac4));
    return service_add(c, std::move(s));
  });
  PacketSpec p = make_packet("100.64.0.9", "192.0.2.10", kProtoTcp, 4242, 80);
  EXPECT_EQ(run_to_backend(frame(p)), ip("10.9.0.2"));  // dsr, and the flow exists
  uint32_t id = backend(ip("10.9.0.2")).id;
  configure([](Config& c) {
    ServiceChange ch;
    ch.forward = Forward::gre;
    return service_set(c, by_name("svc"), ch);
  });
  EXPECT_EQ(backend(ip("10.9.0.2")).id, id) << "same backend, same flows";
  p.l4.tcp_flags = kTcpAck;
  TestRunOutput out = run(frame(p));
  EXPECT_EQ(out.action, XDP_REDIRECT);
  auto o = parse_outer(out.frame);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->proto, 47);
  EXPECT_EQ(o->dst_ip, ip("10.9.0.2"));
  EXPECT_EQ(stats().global[XLB_G_NEW_FLOW], 1u) << "the ACK took its established flow";
}

TEST_F(TunnelTest, VlanTaggedClientFrameLeavesUntagged) {
  add_tunnel_service("192.0.2.10", "10.9.0.2", Forward::fou);
  PacketSpec p = make_packet("100.64.0.9", "192.0.2.10", kProtoTcp, 4242, 80);
  p.eth.vlans = {{kTpid8021ad, 10}, {kTpid8021q, 20}};
  Bytes f = frame(p);
  auto o = parse_outer(run(f).frame);
  ASSERT_TRUE(o);
  auto u = parse_udp(*o);
  ASSERT_TRUE(u);
  EXPECT_TRUE(u->csum_ok);
  EXPECT_EQ(u->payload, Bytes(f.begin() + 22, f.end()));
}

}  // namespace
}  // namespace xlb::test
