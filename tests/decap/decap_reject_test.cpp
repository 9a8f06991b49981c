// What xlb-decap must not strip: traffic not addressed to this host, not a
// tunnel, to another UDP port, GUE control messages and tunnel variants it
// does not handle pass untouched; encapsulated packets that are cut short
// or inconsistent are dropped and counted by reason; random truncations
// and corruptions never crash and every packet is counted once.
#include <linux/bpf.h>

#include <random>

#include "decap_fixture.hpp"

namespace xlb::test {
namespace {

class DecapReject : public DecapTest {};

TEST_F(DecapReject, NotAddressedToThisHostIsUntouched) {
  for (bool v6 : {false, true})
    for (Method m : {Method::ipip, Method::gre, Method::gue, Method::fou}) {
      TunnelSpec t = tunnel(m, v6);
      t.outer_dst = hosts(v6).other;
      expect_untouched(tunnel_frame(t, inner_packet(v6)), XLB_DC_PASS);
    }
}

TEST_F(DecapReject, NonTunnelTrafficIsUntouched) {
  for (bool v6 : {false, true}) {
    Hosts h = hosts(v6);
    for (uint8_t proto : {kProtoTcp, kProtoUdp}) {
      IpSpec ip;
      ip.src = h.client;
      ip.dst = h.backend;
      ip.proto = proto;
      L4Spec l4;
      l4.sport = 1234;
      l4.dport = 22;
      expect_untouched(ethernet(EthSpec{}, ip_packet(ip, l4_segment(ip, l4))), XLB_DC_PASS);
    }
    expect_untouched(icmp_echo_frame(EthSpec{}, h.client, h.backend), XLB_DC_PASS);
  }
  expect_untouched(ethernet(EthSpec{}, kEtherArp, Bytes(28, 0)), XLB_DC_PASS);
  expect_untouched(ethernet(EthSpec{}, kEtherIpv4, Bytes(10, 0x45)), XLB_DC_PASS);
}

TEST_F(DecapReject, OtherUdpPortsAreUntouched) {
  for (bool v6 : {false, true})
    for (uint16_t port : {53, 6081, 5556, 4789}) {
      TunnelSpec t = tunnel(Method::fou, v6);
      t.udp_dport = port;
      expect_untouched(tunnel_frame(t, inner_packet(v6)), XLB_DC_PASS);
    }
}

TEST_F(DecapReject, GueControlIsUntouched) {
  for (bool v6 : {false, true}) {
    TunnelSpec t = tunnel(Method::gue, v6);
    t.gue_control = true;
    expect_untouched(tunnel_frame(t, inner_packet(v6)), XLB_DC_GUE_CONTROL);
  }
}

TEST_F(DecapReject, UnsupportedTunnelVariantsAreUntouched) {
  Bytes inner = inner_packet(false);
  for (uint16_t extra :
       {0x0001 /*version 1*/, 0x4000 /*routing*/, 0x0800 /*strict route*/, 0x0100 /*recursion*/}) {
    TunnelSpec t = tunnel(Method::gre, false);
    t.gre_extra_flags = extra;
    SCOPED_TRACE("gre flags " + std::to_string(extra));
    expect_untouched(tunnel_frame(t, inner), XLB_DC_UNSUPPORTED);
  }
  TunnelSpec teb = tunnel(Method::gre, true);
  teb.gre_proto = 0x6558;  // transparent Ethernet bridging
  expect_untouched(tunnel_frame(teb, inner), XLB_DC_UNSUPPORTED);
  TunnelSpec gue = tunnel(Method::gue, false);
  gue.gue_proto = 47;
  expect_untouched(tunnel_frame(gue, inner), XLB_DC_UNSUPPORTED);
  // GUE version 2 (first bits 10).
  Bytes frame = tunnel_frame(tunnel(Method::gue, false), inner);
  frame[14 + 20 + 8] |= 0x80;
  expect_untouched(frame, XLB_DC_UNSUPPORTED);
}

TEST_F(DecapReject, OuterFragmentsPassUntouched) {
  for (bool v6 : {false, true})
    for (Method m : {Method::ipip, Method::gre, Method::gue}) {
      TunnelSpec t = tunnel(m, v6);
      t.outer_more_fragments = true;
      SCOPED_TRACE(std::string(method_name(m)) + (v6 ? " v6" : " v4"));
      expect_untouched(tunnel_frame(t, inner_packet(v6)), XLB_DC_FRAGMENT);
    }
}

TEST_F(DecapReject, InnerVersionMismatchIsDropped) {
  // IPIP protocol 4 carrying IPv6, 41 carrying IPv4; GRE type likewise.
  for (bool v6 : {false, true}) {
    TunnelSpec t = tunnel(Method::ipip, v6);
    t.outer_proto = 4;
    expect_dropped(tunnel_frame(t, inner_packet(true)), XLB_DC_DROP_INNER_VERSION);
    t.outer_proto = 41;
    expect_dropped(tunnel_frame(t, inner_packet(false)), XLB_DC_DROP_INNER_VERSION);
    TunnelSpec g = tunnel(Method::gre, v6);
    g.gre_proto = kEtherIpv6;
    expect_dropped(tunnel_frame(g, inner_packet(false)), XLB_DC_DROP_INNER_VERSION);
    TunnelSpec u = tunnel(Method::gue, v6);
    u.gue_proto = 4;
    expect_dropped(tunnel_frame(u, inner_packet(true)), XLB_DC_DROP_INNER_VERSION);
  }
  // FOU and GUE variant 1 with a first nibble that is no IP version.
  Bytes junk = inner_packet(false);
  junk[0] = 0x55;
  expect_dropped(tunnel_frame(tunnel(Method::fou, false), junk), XLB_DC_DROP_INNER_VERSION);
  junk[0] = 0x75;
  TunnelSpec v1 = tunnel(Method::gue, true);
  v1.gue_variant1 = true;
  expect_dropped(tunnel_frame(v1, junk), XLB_DC_DROP_INNER_VERSION);
}

TEST_F(DecapReject, InnerLengthInconsistentIsDropped) {
  for (Method m : {Method::ipip, Method::gre, Method::gue, Method::fou})
    for (bool v6 : {false, true})
      for (int delta : {-1, 1}) {
        Bytes inner = inner_packet(v6);
        size_t at = v6 ? 4 : 2;  // payload length / total length
        uint16_t len = (inner[at] << 8 | inner[at + 1]) + delta;
        inner[at] = len >> 8;
        inner[at + 1] = len & 0xff;
        SCOPED_TRACE(std::string(method_name(m)) + (v6 ? " v6" : " v4") + " delta " +
                     std::to_string(delta));
        expect_dropped(tunnel_frame(tunnel(m, !v6), inner), XLB_DC_DROP_INNER_LENGTH);
      }
}

TEST_F(DecapReject, InconsistentOuterIsDropped) {
  // UDP length beyond the IP payload.
  Bytes frame = tunnel_frame(tunnel(Method::fou, false), inner_packet(false));
  size_t udp_len = 14 + 20 + 4;
  frame[udp_len + 1] += 1;
  expect_dropped(frame, XLB_DC_DROP_BAD_OUTER);
  // IPv4 header length beyond the total length.
  Bytes ipip = tunnel_frame(tunnel(Method::ipip, false), inner_packet(false));
  ipip[14 + 2] = 0;
  ipip[14 + 3] = 16;
  expect_dropped(ipip, XLB_DC_DROP_BAD_OUTER);
}

TEST_F(DecapReject, TruncatedTunnelsAreDropped) {
  for (Method m : {Method::ipip, Method::gre, Method::gue, Method::fou})
    for (bool v6 : {false, true}) {
      Bytes frame = tunnel_frame(tunnel(m, v6), inner_packet(!v6));
      size_t outer_end = 14 + (v6 ? 40 : 20);
      // Cut anywhere after the outer fixed header: the outer length no
      // longer fits the frame.
      for (size_t cut = outer_end; cut < frame.size(); cut += 7) {
        Bytes part(frame.begin(), frame.begin() + cut);
        SCOPED_TRACE(std::string(method_name(m)) + " cut at " + std::to_string(cut));
        expect_dropped(part, XLB_DC_DROP_TRUNCATED);
      }
    }
  // An outer packet whose own length is honest but too short for the
  // inner header.
  Bytes tiny = inner_packet(false);
  tiny.resize(12);
  expect_dropped(tunnel_frame(tunnel(Method::ipip, false), tiny), XLB_DC_DROP_TRUNCATED);
  expect_dropped(tunnel_frame(tunnel(Method::ipip, true), Bytes{0x60}), XLB_DC_DROP_TRUNCATED);
}

// Random cuts and byte flips of valid tunnel frames: never an abort, every
// run counted exactly once, and a passed frame is either untouched or
// shorter than it was (decapsulated).
TEST_F(DecapReject, FuzzNeverCrashes) {
  std::mt19937 rng(20261129);
  int runs = 0;
  Counters before = counters();
  for (Method m : {Method::ipip, Method::gre, Method::gue, Method::fou})
    for (bool outer_v6 : {false, true})
      for (bool inner_v6 : {false, true}) {
        Bytes base = tunnel_frame(tunnel(m, outer_v6), inner_packet(inner_v6, true));
        for (int i = 0; i < 150; i++) {
          Bytes f = base;
          f.resize(14 + rng() % (f.size() - 13));
          int flips = rng() % 4;
          for (int k = 0; k < flips && !f.empty(); k++) f[rng() % f.size()] ^= 1 << (rng() % 8);
          TestRunOutput out = run(f);
          runs++;
          ASSERT_TRUE(out.action == XDP_PASS || out.action == XDP_DROP) << "action " << out.action;
          if (out.action == XDP_PASS) {
            EXPECT_TRUE(out.frame == f || out.frame.size() < f.size());
          }
        }
      }
  Counters after = counters();
  uint64_t total = 0;
  for (int i = 0; i < XLB_DC_COUNT; i++) total += after[i] - before[i];
  EXPECT_EQ(total, static_cast<uint64_t>(runs));
}

}  // namespace
}  // namespace xlb::test
