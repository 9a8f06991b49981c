// Next hops kept in xlb_nexthops: dsr and every tunnel method send where the
// table says, with no FIB lookup (counted fib_lookups) and without the
// kernel's neighbour table after the commit; VLAN tags pushed, rewritten and
// stripped; another interface reached by XDP_REDIRECT; an unresolved next
// hop never used. Frames come in on the test namespace's loopback unless a
// test says otherwise; v0 (02:0e:00:00:00:01) is the backends' segment.
#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "model/ops.hpp"
#include "state/hop_table.hpp"
#include "tunnel_fixture.hpp"

namespace xlb::test {
namespace {

uint16_t be16(const Bytes& b, size_t at) { return static_cast<uint16_t>(b[at] << 8 | b[at + 1]); }

MacAddr mac_at(const Bytes& f, size_t at) {
  MacAddr m;
  std::copy(f.begin() + at, f.begin() + at + 6, m.bytes.begin());
  return m;
}

// The frame without its one 802.1Q tag, and the tag's VLAN id.
Bytes untag(const Bytes& f, uint16_t& vid) {
  vid = be16(f, 14) & 0xfff;
  Bytes out(f.begin(), f.begin() + 12);
  out.insert(out.end(), f.begin() + 16, f.end());
  return out;
}

class NextHopTest : public TunnelTest {
 protected:
  void add_dsr(const char* addr, const MacAddr& m, const std::string& dev = "", uint16_t vlan = 0) {
    configure([&](Config& c) {
      Service s = make_service("svc", Proto::tcp, "192.0.2.10", 80);
      Backend b = make_backend(addr, m);
      // No MAC: a next hop nothing resolved (not an explicit zero MAC, which
      // the model refuses); the datapath must never send to it.
      if (m.is_zero()) b.mac_explicit = false;
      b.dev = dev;
      b.vlan = vlan;
      s.backends.push_back(b);
      return service_add(c, std::move(s));
    });
  }

  xlb_nh entry(const char* addr) const {
    xlb_nh e{};
    uint32_t id = backend(ip(addr)).id;
    EXPECT_EQ(bpf_map_lookup_elem(maps().nexthops(), &id, &e), 0);
    return e;
  }

  uint64_t fib_lookups() const { return stats().global[XLB_G_FIB_LOOKUP]; }

  Bytes client(uint16_t sport, std::vector<VlanTag> tags = {}) const {
    PacketSpec p = make_packet("100.64.0.7", "192.0.2.10", kProtoTcp, sport, 80);
    p.eth.vlans = std::move(tags);
    return frame(p);
  }
};

TEST_F(NextHopTest, DsrToAnotherInterfaceIsRedirectedWithItsMacs) {
  add_dsr("10.9.0.2", kBackendMac4, "v0");
  xlb_nh e = entry("10.9.0.2");
  EXPECT_EQ(e.flags, XLB_NH_RESOLVED);
  EXPECT_EQ(e.ifindex, ns_->ifindex("v0"));
  Bytes in = client(1000);
  TestRunOutput out = run(in);
  ASSERT_EQ(out.action, XDP_REDIRECT);
  EXPECT_EQ(mac_at(out.frame, 0), kBackendMac4);
  EXPECT_EQ(mac_at(out.frame, 6), kV0Mac) << "the egress interface's own MAC";
  EXPECT_EQ(Bytes(out.frame.begin() + 12, out.frame.end()), Bytes(in.begin() + 12, in.end()));
  EXPECT_EQ(stats().global[XLB_G_REDIRECT], 1u);
  EXPECT_EQ(fib_lookups(), 0u);
}

// Backends out of two interfaces in one write: each entry has its own
// interface's index and MAC (the write asks each interface once).
TEST_F(NextHopTest, EachEgressInterfaceGivesItsOwnMacInOneWrite) {
  const MacAddr v1_mac = *MacAddr::parse("02:0e:00:00:00:02");
  ASSERT_TRUE(ns_->ip("link set v1 address " + v1_mac.str())) << ns_->error();
  configure([&](Config& c) {
    Service s = make_service("svc", Proto::tcp, "192.0.2.10", 80);
    for (const char* dev : {"v0", "v1", "v0"}) {
      const std::string addr = "10.9.0." + std::to_string(2 + s.backends.size());
      s.backends.push_back(make_backend(addr.c_str(), kBackendMac4));
      s.backends.back().dev = dev;
    }
    return service_add(c, std::move(s));
  });
  for (const auto& [addr, dev, mac] :
       {std::tuple{"10.9.0.2", "v0", kV0Mac}, std::tuple{"10.9.0.3", "v1", v1_mac},
        std::tuple{"10.9.0.4", "v0", kV0Mac}}) {
    xlb_nh e = entry(addr);
    EXPECT_EQ(e.ifindex, ns_->ifindex(dev)) << addr;
    EXPECT_EQ(mac_at(Bytes(e.smac, e.smac + 6), 0), mac) << addr;
  }
}

TEST_F(NextHopTest, DsrOutOfTheIngressIsXdpTxAndKeepsTheClientsTags) {
  add_dsr("10.9.0.2", kBackendMac4, "v0");
  Bytes in = client(1001, {{kTpid8021q, 10}});
  TestRunOutput out = run_on(in, ns_->ifindex("v0"));
  ASSERT_EQ(out.action, XDP_TX);
  EXPECT_EQ(mac_at(out.frame, 0), kBackendMac4);
  EXPECT_EQ(Bytes(out.frame.begin() + 12, out.frame.end()), Bytes(in.begin() + 12, in.end()));
}

TEST_F(NextHopTest, DsrVlanIsPushedOnAnUntaggedFrame) {
  add_dsr("10.9.0.2", kBackendMac4, "", 100);
  Bytes in = client(1002);
  TestRunOutput out = run(in);
  ASSERT_EQ(out.action, XDP_TX) << "no dev, no attached route: the ingress";
  ASSERT_EQ(out.frame.size(), in.size() + 4);
  EXPECT_EQ(be16(out.frame, 12), kTpid8021q);
  uint16_t vid = 0;
  Bytes plain = untag(out.frame, vid);
  EXPECT_EQ(vid, 100);
  EXPECT_EQ(mac_at(plain, 0), kBackendMac4);
  EXPECT_EQ(Bytes(plain.begin() + 12, plain.end()), Bytes(in.begin() + 12, in.end()));
}

TEST_F(NextHopTest, DsrVlanRewritesTheClientsTags) {
  add_dsr("10.9.0.2", kBackendMac4, "v0", 200);
  Bytes in = client(1003, {{kTpid8021ad, 10}, {kTpid8021q, 20}});
  TestRunOutput out = run(in);
  ASSERT_EQ(out.action, XDP_REDIRECT);
  ASSERT_EQ(out.frame.size(), in.size() - 4) << "two tags become one";
  EXPECT_EQ(be16(out.frame, 12), kTpid8021q);
  uint16_t vid = 0;
  Bytes plain = untag(out.frame, vid);
  EXPECT_EQ(vid, 200);
  EXPECT_EQ(be16(plain, 12), kEtherIpv4);
  EXPECT_EQ(Bytes(plain.begin() + 14, plain.end()), Bytes(in.begin() + 22, in.end()));
}

TEST_F(NextHopTest, DsrToAnotherInterfaceWithoutVlanStripsTheClientsTag) {
  add_dsr("10.9.0.2", kBackendMac4, "v0");
  Bytes in = client(1004, {{kTpid8021q, 30}});
  TestRunOutput out = run(in);
  ASSERT_EQ(out.action, XDP_REDIRECT);
  ASSERT_EQ(out.frame.size(), in.size() - 4);
  EXPECT_EQ(be16(out.frame, 12), kEtherIpv4);
  EXPECT_EQ(mac_at(out.frame, 0), kBackendMac4);
  EXPECT_EQ(Bytes(out.frame.begin() + 14, out.frame.end()), Bytes(in.begin() + 18, in.end()));
}

TEST_F(NextHopTest, DsrUnresolvedNextHopIsNeverUsed) {
  add_dsr("10.9.0.2", MacAddr{});  // no MAC: nothing to send to
  EXPECT_EQ(entry("10.9.0.2").flags, XLB_NH_UNRESOLVED);
  EXPECT_EQ(run(client(1005)).action, XDP_DROP);
  EXPECT_EQ(stats().global[XLB_G_DROP_NO_NEXTHOP], 1u);
}

// A write of the table compares each backend's entry with what the map holds
// (read in one batch by backend id): a second write changes and reports
// nothing, and an entry changed behind its back is rewritten and reported
// as that backend's, from the MAC it had to the one it gets.
TEST_F(NextHopTest, ARewriteReportsOnlyTheEntryThatDiffers) {
  configure([&](Config& c) {
    Service s = make_service("svc", Proto::tcp, "192.0.2.10", 80);
    for (int i = 1; i <= 5; i++) {
      const std::string last = std::to_string(i);
      s.backends.push_back(
          make_backend(("10.9.0." + last).c_str(), *MacAddr::parse("02:0e:00:00:01:0" + last)));
    }
    return service_add(c, std::move(s));
  });
  HopContext ctx = hop_context(pin_path());
  auto again = write_hops(maps(), config(), ctx);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->changed.empty());

  xlb_nh e = entry("10.9.0.3");
  const MacAddr was = mac_at(Bytes(e.dmac, e.dmac + 6), 0),
                stray = *MacAddr::parse("02:bb:00:00:00:01");
  std::copy(stray.bytes.begin(), stray.bytes.end(), e.dmac);
  const uint32_t id = backend(ip("10.9.0.3")).id;
  ASSERT_EQ(bpf_map_update_elem(maps().nexthops(), &id, &e, BPF_ANY), 0);
  auto mended = write_hops(maps(), config(), ctx);
  ASSERT_TRUE(mended) << mended.error().message;
  ASSERT_EQ(mended->changed.size(), 1u);
  EXPECT_EQ(mended->changed[0].addr, ip("10.9.0.3"));
  EXPECT_EQ(mended->changed[0].before, stray);
  EXPECT_EQ(mended->changed[0].after, was);
  xlb_nh now = entry("10.9.0.3");
  EXPECT_EQ(mac_at(Bytes(now.dmac, now.dmac + 6), 0), was);
}

TEST_F(NextHopTest, EveryTunnelMethodUsesTheTableNotTheFibNorTheNeighbourTable) {
  for (Forward f : {Forward::ipip, Forward::gre, Forward::gue, Forward::fou})
    for (bool v6 : {false, true}) {
      SCOPED_TRACE(to_string(f) + (v6 ? " over IPv6" : " over IPv4"));
      const char* be = v6 ? "fd09::2" : "10.9.0.2";
      add_tunnel_service("192.0.2.10", be, f);
      xlb_nh e = entry(be);
      EXPECT_EQ(e.flags, XLB_NH_RESOLVED);
      EXPECT_EQ(e.ifindex, ns_->ifindex("v0"));
      EXPECT_EQ(e.mtu, 1500u);
      // Committed: the kernel's entry may go, the table stays.
      ASSERT_TRUE(ns_->ip(std::string("neigh del ") + be + " dev v0")) << ns_->error();
      TestRunOutput out = run(client_frame("192.0.2.10", 2000));
      EXPECT_EQ(out.action, XDP_REDIRECT);
      auto o = parse_outer(out.frame);
      ASSERT_TRUE(o);
      EXPECT_EQ(o->dst, v6 ? kBackendMac6 : kBackendMac4);
      EXPECT_EQ(o->src, kV0Mac);
      EXPECT_EQ(fib_lookups(), 0u);
      configure([](Config& c) { return service_del(c, by_name("svc")); });
      ASSERT_TRUE(ns_->ip(std::string("neigh replace ") + be + " lladdr " +
                          (v6 ? kBackendMac6 : kBackendMac4).str() + " dev v0 nud permanent"))
          << ns_->error();
    }
}

TEST_F(NextHopTest, TunnelVlanTagsTheOuterFrame) {
  configure([](Config& c) {
    Service s = make_service("svc", Proto::tcp, "192.0.2.10", 80);
    s.forward = Forward::gue;
    Backend b;
    b.addr = ip("10.9.0.2");
    b.vlan = 300;
    s.backends.push_back(b);
    return service_add(c, std::move(s));
  });
  Bytes in = client_frame("192.0.2.10", 2001);
  TestRunOutput out = run(in);
  ASSERT_EQ(out.action, XDP_REDIRECT);
  ASSERT_EQ(be16(out.frame, 12), kTpid8021q);
  uint16_t vid = 0;
  auto o = parse_outer(untag(out.frame, vid));
  EXPECT_EQ(vid, 300);
  ASSERT_TRUE(o);
  auto u = parse_udp(*o);
  ASSERT_TRUE(u);
  EXPECT_TRUE(u->csum_ok);
  EXPECT_EQ(Bytes(u->payload.begin() + 4, u->payload.end()), Bytes(in.begin() + 14, in.end()));
}

TEST_F(NextHopTest, TunnelUnresolvedNextHopFallsBackToTheFibCounted) {
  add_tunnel_service("192.0.2.10", "172.31.0.5", Forward::ipip);  // no route
  EXPECT_EQ(entry("172.31.0.5").flags, XLB_NH_UNRESOLVED);
  EXPECT_EQ(run(client_frame("192.0.2.10", 2002)).action, XDP_DROP);
  EXPECT_EQ(fib_lookups(), 1u);
  EXPECT_EQ(stats().global[XLB_G_DROP_NO_NEXTHOP], 1u);
  // The route appears: the FIB answers before the next refresh does.
  ASSERT_TRUE(ns_->ip("route add 172.31.0.0/24 via 10.9.0.254")) << ns_->error();
  TestRunOutput out = run(client_frame("192.0.2.10", 2002));
  EXPECT_EQ(out.action, XDP_REDIRECT)
      << "no_nexthop " << stats().global[XLB_G_DROP_NO_NEXTHOP] << " encap "
      << stats().global[XLB_G_DROP_ENCAP] << " fwd_disabled "
      << stats().global[XLB_G_DROP_FWD_DISABLED] << " fib " << fib_lookups();
  auto o = parse_outer(out.frame);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->dst, kGatewayMac4);
  EXPECT_EQ(fib_lookups(), 2u);
}

TEST_F(NextHopTest, TunnelNextHopIsTheRoutesGateway) {
  ASSERT_TRUE(ns_->ip("route add 172.31.0.0/24 via 10.9.0.254")) << ns_->error();
  add_tunnel_service("192.0.2.10", "172.31.0.5", Forward::gre);
  xlb_nh e = entry("172.31.0.5");
  EXPECT_EQ(e.flags, XLB_NH_RESOLVED);
  MacAddr dmac;
  std::copy(e.dmac, e.dmac + 6, dmac.bytes.begin());
  EXPECT_EQ(dmac, kGatewayMac4);
  auto o = parse_outer(run(client_frame("192.0.2.10", 2003)).frame);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->dst, kGatewayMac4);
  EXPECT_EQ(o->dst_ip, ip("172.31.0.5"));
  EXPECT_EQ(fib_lookups(), 0u);
}

// The outer UDP checksum is summed from the headers when the inner packet's
// own checksum covers the rest (LCO), in full otherwise: both must verify.
TEST_F(NextHopTest, OuterUdpChecksumHoldsForEveryInnerKind) {
  struct Case {
    const char* name;
    const char* vip;
    uint8_t proto;
    bool zero_inner_csum;
  };
  for (Forward f : {Forward::gue, Forward::fou})
    for (const Case& k : {Case{"tcp4", "192.0.2.10", kProtoTcp, false},
                          Case{"udp4", "192.0.2.10", kProtoUdp, false},
                          Case{"udp4 without checksum", "192.0.2.10", kProtoUdp, true},
                          Case{"tcp6", "2001:db8::10", kProtoTcp, false},
                          Case{"udp6", "2001:db8::10", kProtoUdp, false}})
      for (bool outer6 : {false, true}) {
        SCOPED_TRACE(to_string(f) + " " + k.name + (outer6 ? " in IPv6" : " in IPv4"));
        configure([&](Config& c) {
          Service s =
              make_service("svc", k.proto == kProtoTcp ? Proto::tcp : Proto::udp, k.vip, 80);
          s.forward = f;
          Backend b;
          b.addr = ip(outer6 ? "fd09::2" : "10.9.0.2");
          s.backends.push_back(b);
          return service_add(c, std::move(s));
        });
        bool v6 = ip(k.vip).is_v6();
        PacketSpec p = make_packet(v6 ? "2001:db8:c::7" : "100.64.0.7", k.vip, k.proto, 3000, 80);
        p.l4.payload.assign(333, 0x3c);
        Bytes in = frame(p);
        size_t l4 = 14 + (v6 ? 40 : 20);
        if (k.zero_inner_csum) in[l4 + 6] = in[l4 + 7] = 0;
        auto o = parse_outer(run(in).frame);
        ASSERT_TRUE(o);
        auto u = parse_udp(*o);
        ASSERT_TRUE(u);
        EXPECT_TRUE(u->csum_ok);
        configure([](Config& c) { return service_del(c, by_name("svc")); });
      }
}

}  // namespace
}  // namespace xlb::test
