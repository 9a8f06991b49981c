// What the datapath does with one packet, by kind of packet: balanced to a
// backend by L2 DSR (only the MACs change), passed to the host untouched,
// or dropped with its reason counted.
#include <linux/bpf.h>

#include <algorithm>
#include <set>

#include "datapath_fixture.hpp"
#include "model/ops.hpp"

namespace xlb::test {
namespace {

// web4: tcp 192.0.2.10:80, dns4: udp 192.0.2.10:53, web6: tcp [2001:db8::10]:443,
// any4: tcp 192.0.2.20 (port 0), any6: udp [2001:db8::20] (port 0).
Status add_services(Config& c) {
  struct Def {
    const char* name;
    Proto proto;
    const char* vip;
    uint16_t port;
    std::vector<const char*> backends;
  };
  const std::vector<Def> defs = {
      {"web4", Proto::tcp, "192.0.2.10", 80, {"10.0.0.1", "10.0.0.2", "10.0.0.3"}},
      {"dns4", Proto::udp, "192.0.2.10", 53, {"10.0.0.11", "10.0.0.12"}},
      {"web6", Proto::tcp, "2001:db8::10", 443, {"fd00::1", "fd00::2"}},
      {"any4", Proto::tcp, "192.0.2.20", 0, {"10.0.1.1", "10.0.1.2"}},
      {"any6", Proto::udp, "2001:db8::20", 0, {"fd00:1::1", "fd00:1::2"}},
  };
  uint32_t n = 0;
  for (const Def& d : defs) {
    Service s = make_service(d.name, d.proto, d.vip, d.port);
    for (const char* b : d.backends) s.backends.push_back(make_backend(b, backend_mac(++n)));
    XLB_TRY(service_add(c, std::move(s)));
  }
  return {};
}

class BalanceTest : public DatapathTest {
 protected:
  void SetUp() override {
    DatapathTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    configure(add_services);
  }

  std::set<IpAddr> backends_of(const std::string& service) const {
    std::set<IpAddr> out;
    for (const Service& s : config().services)
      if (s.name == service)
        for (const Backend& b : s.backends) out.insert(b.addr);
    return out;
  }
};

PacketSpec tcp4(const char* dst, uint16_t dport) {
  return make_packet("198.51.100.7", dst, kProtoTcp, 40001, dport);
}

PacketSpec udp4(const char* dst, uint16_t dport) {
  PacketSpec p = tcp4(dst, dport);
  p.ip.proto = kProtoUdp;
  p.l4.payload = Bytes(32, 0x5a);
  return p;
}

PacketSpec tcp6(const char* dst, uint16_t dport) {
  return make_packet("2001:db8:100::7", dst, kProtoTcp, 40001, dport);
}

PacketSpec udp6(const char* dst, uint16_t dport) {
  PacketSpec p = tcp6(dst, dport);
  p.ip.proto = kProtoUdp;
  p.l4.payload = Bytes(100, 0x6b);
  return p;
}

PacketSpec with_vlans(PacketSpec p, std::vector<VlanTag> tags) {
  p.eth.vlans = std::move(tags);
  return p;
}

PacketSpec with_ext(PacketSpec p, std::vector<uint8_t> ext) {
  p.ip.ext_headers = std::move(ext);
  return p;
}

PacketSpec with_options(PacketSpec p, Bytes options) {
  p.ip.options = std::move(options);
  return p;
}

// ---------------------------------------------------------------- balanced

struct BalancedCase {
  const char* name;
  PacketSpec packet;
  const char* service;  // whose backends may receive it
};

void PrintTo(const BalancedCase& c, std::ostream* os) { *os << c.name; }

const BalancedCase kBalanced[] = {
    {"tcp_syn_v4", tcp4("192.0.2.10", 80), "web4"},
    {"tcp_ack_without_flow_v4",
     [] {
       PacketSpec p = tcp4("192.0.2.10", 80);
       p.l4.tcp_flags = kTcpAck | kTcpPsh;
       p.l4.payload = Bytes(200, 1);
       return p;
     }(),
     "web4"},
    {"udp_v4", udp4("192.0.2.10", 53), "dns4"},
    {"tcp_syn_v6", tcp6("2001:db8::10", 443), "web6"},
    {"port0_service_port_22", tcp4("192.0.2.20", 22), "any4"},
    {"port0_service_port_65535", tcp4("192.0.2.20", 65535), "any4"},
    {"port0_service_udp_v6", udp6("2001:db8::20", 5353), "any6"},
    {"one_vlan_tag", with_vlans(tcp4("192.0.2.10", 80), {{kTpid8021q, 100}}), "web4"},
    {"two_vlan_tags_qinq",
     with_vlans(tcp4("192.0.2.10", 80), {{kTpid8021ad, 0x2007}, {kTpid8021q, 0xe00a}}), "web4"},
    {"two_8021q_tags_v6", with_vlans(tcp6("2001:db8::10", 443), {{kTpid8021q, 5}, {kTpid8021q, 6}}),
     "web6"},
    {"ipv4_options_4_bytes", with_options(tcp4("192.0.2.10", 80), {0x01, 0x01, 0x01, 0x00}),
     "web4"},
    {"ipv4_options_40_bytes",  // ihl 15: record route with 9 empty slots
     with_options(tcp4("192.0.2.10", 80),
                  [] {
                    Bytes o = {0x07, 39, 4};
                    o.resize(39, 0);
                    o.push_back(0x00);
                    return o;
                  }()),
     "web4"},
    {"ipv4_options_udp_vlan",
     with_vlans(with_options(udp4("192.0.2.10", 53), {0x94, 0x04, 0x00, 0x00}), {{kTpid8021q, 42}}),
     "dns4"},
    {"ipv6_hop_by_hop", with_ext(tcp6("2001:db8::10", 443), {kExtHopByHop}), "web6"},
    {"ipv6_routing", with_ext(tcp6("2001:db8::10", 443), {kExtRouting}), "web6"},
    {"ipv6_dst_opts", with_ext(tcp6("2001:db8::10", 443), {kExtDstOpts}), "web6"},
    {"ipv6_four_ext_headers",
     with_ext(tcp6("2001:db8::10", 443), {kExtHopByHop, kExtDstOpts, kExtRouting, kExtDstOpts}),
     "web6"},
    {"ipv6_ext_udp_vlan",
     with_vlans(with_ext(udp6("2001:db8::20", 53), {kExtHopByHop, kExtRouting}),
                {{kTpid8021ad, 1}, {kTpid8021q, 2}}),
     "any6"},
};

class Balanced : public BalanceTest, public ::testing::WithParamInterface<BalancedCase> {};

TEST_P(Balanced, SentToABackendOfTheServiceByDsr) {
  const BalancedCase& c = GetParam();
  Bytes in = frame(c.packet);
  TestRunOutput out = run(in);
  ASSERT_EQ(out.action, XDP_TX);
  ASSERT_EQ(out.frame.size(), in.size());
  auto parsed = parse_frame(out.frame);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->src, kIfaceMac);
  auto be = backend_with_mac(parsed->dst);
  ASSERT_TRUE(be) << "destination MAC " << parsed->dst.str() << " is no backend's";
  EXPECT_TRUE(backends_of(c.service).count(be->addr)) << be->addr.str();
  // Everything after the MACs, VLAN tags and IP packet included, is unchanged.
  EXPECT_TRUE(std::equal(in.begin() + 12, in.end(), out.frame.begin() + 12));
  EXPECT_EQ(parsed->vlans, c.packet.eth.vlans);
  auto in_ip = parse_ip(parse_frame(in)->l3);
  ASSERT_TRUE(in_ip && in_ip->checksums_ok) << "the test built a bad frame";

  StatsSnapshot st = stats();
  EXPECT_EQ(st.global[XLB_G_TX], 1u);
  EXPECT_EQ(st.global[XLB_G_NEW_FLOW], 1u);
  EXPECT_EQ(st.backends[be->id].packets, 1u);
  EXPECT_EQ(st.backends[be->id].bytes, in.size());
}

INSTANTIATE_TEST_SUITE_P(Packets, Balanced, ::testing::ValuesIn(kBalanced),
                         [](const auto& info) { return std::string(info.param.name); });

// ------------------------------------------------------- passed or dropped

struct VerdictCase {
  const char* name;
  Bytes frame;
  uint32_t action;
  int reason;  // the global counter besides the action's, or -1
};

void PrintTo(const VerdictCase& c, std::ostream* os) { *os << c.name; }

std::vector<VerdictCase> verdict_cases() {
  EthSpec eth;
  return {
      {"non_vip_tcp_v4", frame(tcp4("192.0.2.99", 80)), XDP_PASS, -1},
      {"non_vip_udp_v6", frame(udp6("2001:db8::99", 53)), XDP_PASS, -1},
      {"non_vip_vlan", frame(with_vlans(tcp4("192.0.2.11", 80), {{kTpid8021q, 7}})), XDP_PASS, -1},
      {"vip_address_of_the_other_family",  // 192.0.2.10 as an IPv6 address is no VIP
       frame(tcp6("::ffff:192.0.2.10", 80)), XDP_PASS, -1},
      {"arp", ethernet(eth, kEtherArp, Bytes(28, 0)), XDP_PASS, -1},
      {"three_vlan_tags",  // beyond what the datapath reads: not its business
       frame(with_vlans(tcp4("192.0.2.10", 80),
                        {{kTpid8021ad, 1}, {kTpid8021q, 2}, {kTpid8021q, 3}})),
       XDP_PASS, -1},
      {"vip_unknown_tcp_port", frame(tcp4("192.0.2.10", 22)), XDP_DROP, XLB_G_DROP_NO_SERVICE},
      {"vip_udp_port_of_tcp_service", frame(udp4("192.0.2.10", 80)), XDP_DROP,
       XLB_G_DROP_NO_SERVICE},
      {"vip_unknown_port_v6", frame(tcp6("2001:db8::10", 80)), XDP_DROP, XLB_G_DROP_NO_SERVICE},
      {"port0_vip_other_proto", frame(udp4("192.0.2.20", 53)), XDP_DROP, XLB_G_DROP_NO_SERVICE},
      // ICMP other than echo (echo_test.cpp): a timestamp request, a node
      // information query.
      {"vip_icmp_timestamp", icmp_message_frame(eth, ip("198.51.100.7"), ip("192.0.2.10"), 13, 0),
       XDP_DROP, XLB_G_DROP_NO_SERVICE},
      {"vip_icmpv6_node_info",
       icmp_message_frame(eth, ip("2001:db8:100::7"), ip("2001:db8::10"), 139, 0), XDP_DROP,
       XLB_G_DROP_NO_SERVICE},
      {"vip_gre",
       ethernet(eth, ip_packet(make_packet("198.51.100.7", "192.0.2.20", kProtoGre, 0, 0).ip,
                               Bytes(24, 0))),
       XDP_DROP, XLB_G_DROP_NO_SERVICE},
      {"ipv6_five_ext_headers",  // more than the datapath walks
       frame(with_ext(tcp6("2001:db8::10", 443),
                      {kExtHopByHop, kExtDstOpts, kExtRouting, kExtDstOpts, kExtDstOpts})),
       XDP_DROP, XLB_G_DROP_NO_SERVICE},
  };
}

class Verdict : public BalanceTest, public ::testing::WithParamInterface<VerdictCase> {};

TEST_P(Verdict, ActionAndReasonCounted) {
  const VerdictCase& c = GetParam();
  TestRunOutput out = run(c.frame);
  EXPECT_EQ(out.action, c.action);
  EXPECT_EQ(out.frame, c.frame) << "a passed or dropped frame is never modified";
  StatsSnapshot st = stats();
  EXPECT_EQ(st.global[c.action == XDP_PASS ? XLB_G_PASS : XLB_G_DROP], 1u);
  EXPECT_EQ(st.global[XLB_G_TX], 0u);
  if (c.reason >= 0) {
    EXPECT_EQ(st.global[c.reason], 1u);
  }
  EXPECT_TRUE(flows().empty());
}

INSTANTIATE_TEST_SUITE_P(Packets, Verdict, ::testing::ValuesIn(verdict_cases()),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace xlb::test
