// Every encapsulation x outer family x inner family (x 0, 1 or 2 VLAN
// tags): xlb-decap hands the stack exactly the L2 header (ethertype fixed)
// followed by the inner packet, byte for byte, with XDP_PASS, counted
// under the method. Then the header variants: GRE's optional words, GUE
// options and variant 1.
#include <linux/bpf.h>

#include <tuple>

#include "decap_fixture.hpp"

namespace xlb::test {
namespace {

using Mix = std::tuple<Method, bool /*outer v6*/, bool /*inner v6*/, int /*vlan tags*/>;

int counter_of(Method m) {
  switch (m) {
    case Method::ipip:
      return XLB_DC_IPIP;
    case Method::gre:
      return XLB_DC_GRE;
    case Method::gue:
      return XLB_DC_GUE;
    default:
      return XLB_DC_FOU;
  }
}

EthSpec eth_with_tags(int tags) {
  EthSpec eth;
  if (tags >= 1) eth.vlans.push_back({kTpid8021ad, 100});
  if (tags >= 2) eth.vlans.push_back({kTpid8021q, 200});
  return eth;
}

class DecapMix : public DecapTest, public ::testing::WithParamInterface<Mix> {
 protected:
  // Runs `t` carrying `inner` and checks the output is eth + inner.
  void expect_decapsulated(const TunnelSpec& t, const Bytes& inner, int tags, int counter) {
    EthSpec eth = eth_with_tags(tags);
    Bytes frame = tunnel_frame(t, inner, eth);
    TestRunOutput out = run_counted(frame, counter);
    EXPECT_EQ(out.action, static_cast<uint32_t>(XDP_PASS));
    Bytes want = ethernet(eth, inner);
    EXPECT_EQ(out.frame, want) << "output is not exactly Ethernet + the inner packet";
    auto parsed = parse_frame(out.frame);
    ASSERT_TRUE(parsed);
    auto ip = parse_ip(parsed->l3);
    ASSERT_TRUE(ip);
    EXPECT_TRUE(ip->checksums_ok);
  }
};

TEST_P(DecapMix, OutputIsEthernetPlusTheInnerPacket) {
  auto [method, outer_v6, inner_v6, tags] = GetParam();
  for (bool udp : {false, true})
    expect_decapsulated(tunnel(method, outer_v6), inner_packet(inner_v6, udp), tags,
                        counter_of(method));
}

std::string mix_name(const ::testing::TestParamInfo<Mix>& info) {
  auto [method, outer_v6, inner_v6, tags] = info.param;
  return std::string(method_name(method)) + "_" + (inner_v6 ? "6" : "4") + "in" +
         (outer_v6 ? "6" : "4") + "_vlan" + std::to_string(tags);
}

INSTANTIATE_TEST_SUITE_P(
    AllMixes, DecapMix,
    ::testing::Combine(::testing::Values(Method::ipip, Method::gre, Method::gue, Method::fou),
                       ::testing::Bool(), ::testing::Bool(), ::testing::Values(0, 1, 2)),
    mix_name);

class DecapVariants : public DecapMix {};

TEST_F(DecapVariants, GreOptionalWordsAreSkipped) {
  for (bool outer_v6 : {false, true})
    for (int mask = 1; mask < 8; mask++) {
      TunnelSpec t = tunnel(Method::gre, outer_v6);
      t.gre_csum = mask & 1;
      t.gre_key = mask & 2;
      t.gre_seq = mask & 4;
      SCOPED_TRACE("gre flags mask " + std::to_string(mask));
      expect_decapsulated(t, inner_packet(!outer_v6, true), 0, XLB_DC_GRE);
    }
}

TEST_F(DecapVariants, GueOptionsAreSkipped) {
  for (uint8_t hlen : {1, 2, 5, 31}) {
    TunnelSpec t = tunnel(Method::gue, true);
    t.gue_hlen = hlen;
    SCOPED_TRACE("gue hlen " + std::to_string(hlen));
    expect_decapsulated(t, inner_packet(false), 0, XLB_DC_GUE);
  }
}

TEST_F(DecapVariants, GueVariant1CarriesTheInnerHeaderDirectly) {
  for (bool outer_v6 : {false, true})
    for (bool inner_v6 : {false, true}) {
      TunnelSpec t = tunnel(Method::gue, outer_v6);
      t.gue_variant1 = true;
      expect_decapsulated(t, inner_packet(inner_v6), 1, XLB_DC_GUE);
    }
}

TEST_F(DecapVariants, OuterIpv4OptionsAreStripped) {
  Bytes inner = inner_packet(false);
  IpSpec outer;
  outer.src = hosts(false).lb;
  outer.dst = hosts(false).backend;
  outer.proto = 4;
  outer.options = {0x94, 0x04, 0x00, 0x00};  // router alert
  Bytes frame = ethernet(EthSpec{}, ip_packet(outer, inner));
  TestRunOutput out = run_counted(frame, XLB_DC_IPIP);
  EXPECT_EQ(out.action, static_cast<uint32_t>(XDP_PASS));
  EXPECT_EQ(out.frame, ethernet(EthSpec{}, inner));
}

TEST_F(DecapVariants, OuterIpv6ExtensionHeadersAreStripped) {
  Bytes inner = inner_packet(true);
  IpSpec outer;
  outer.src = hosts(true).lb;
  outer.dst = hosts(true).backend;
  outer.proto = 41;
  outer.ext_headers = {kExtHopByHop, kExtDstOpts};
  Bytes frame = ethernet(EthSpec{}, ip_packet(outer, inner));
  TestRunOutput out = run_counted(frame, XLB_DC_IPIP);
  EXPECT_EQ(out.action, static_cast<uint32_t>(XDP_PASS));
  EXPECT_EQ(out.frame, ethernet(EthSpec{}, inner));
}

TEST_F(DecapVariants, OtherPortsWhenLoadedWithThem) {
  auto prog = load_decap(dir_, DecapPorts{7000, 7001});
  ASSERT_TRUE(prog) << prog.error().message;
  prog_ = std::move(*prog);
  TunnelSpec gue = tunnel(Method::gue, false);
  gue.udp_dport = 7000;
  expect_decapsulated(gue, inner_packet(false), 0, XLB_DC_GUE);
  TunnelSpec fou = tunnel(Method::fou, false);
  fou.udp_dport = 7001;
  expect_decapsulated(fou, inner_packet(true), 0, XLB_DC_FOU);
  // The default ports are ordinary UDP now.
  expect_untouched(tunnel_frame(tunnel(Method::gue, false), inner_packet(false)), XLB_DC_PASS);
  expect_untouched(tunnel_frame(tunnel(Method::fou, false), inner_packet(false)), XLB_DC_PASS);
}

}  // namespace
}  // namespace xlb::test
