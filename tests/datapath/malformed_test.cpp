// Truncated and inconsistent frames. Until the IP destination is in the
// frame a packet is not ours to judge: passed, untouched. After that, a VIP
// packet with bad or short headers is dropped as malformed. No frame, cut
// anywhere, makes the program read out of bounds (the verifier guarantees
// it; these tests check the verdicts).
#include <linux/bpf.h>

#include "datapath_fixture.hpp"
#include "model/ops.hpp"

namespace xlb::test {
namespace {

class MalformedTest : public DatapathTest {
 protected:
  void SetUp() override {
    DatapathTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    configure([](Config& c) -> Status {
      Service s4 = make_service("web4", Proto::tcp, "192.0.2.10", 80);
      Service u4 = make_service("dns4", Proto::udp, "192.0.2.10", 0);
      Service s6 = make_service("web6", Proto::tcp, "2001:db8::10", 443);
      Service u6 = make_service("dns6", Proto::udp, "2001:db8::10", 0);
      s4.backends.push_back(make_backend("10.0.0.1", backend_mac(1)));
      u4.backends.push_back(make_backend("10.0.0.2", backend_mac(2)));
      s6.backends.push_back(make_backend("fd00::1", backend_mac(3)));
      u6.backends.push_back(make_backend("fd00::2", backend_mac(4)));
      XLB_TRY(service_add(c, std::move(s4)));
      XLB_TRY(service_add(c, std::move(u4)));
      XLB_TRY(service_add(c, std::move(s6)));
      return service_add(c, std::move(u6));
    });
  }
};

PacketSpec tcp4() { return make_packet("198.51.100.7", "192.0.2.10", kProtoTcp, 40000, 80); }
PacketSpec tcp6() { return make_packet("2001:db8:100::7", "2001:db8::10", kProtoTcp, 40000, 443); }

PacketSpec udp(PacketSpec p) {
  p.ip.proto = kProtoUdp;
  p.l4.dport = 53;
  p.l4.payload = Bytes(12, 9);
  return p;
}

Bytes reply_quote(bool v6) {
  PacketSpec p = v6 ? tcp6() : tcp4();
  std::swap(p.ip.src, p.ip.dst);
  std::swap(p.l4.sport, p.l4.dport);
  return ip_packet(p.ip, l4_segment(p.ip, p.l4));
}

struct TruncationCase {
  const char* name;
  Bytes frame;
  size_t dst_known;  // frame length from which the IP destination is readable
  bool vip;
  bool makes_flow;  // whole, it creates a flow (ICMP errors never do)
};

void PrintTo(const TruncationCase& c, std::ostream* os) { *os << c.name; }

std::vector<TruncationCase> truncation_cases() {
  PacketSpec vlan1 = tcp4(), vlan2 = tcp6(), opts = udp(tcp4()), ext = tcp6(), frag = udp(tcp6());
  vlan1.eth.vlans = {{kTpid8021q, 10}};
  vlan2.eth.vlans = {{kTpid8021ad, 1}, {kTpid8021q, 2}};
  opts.ip.options = Bytes(12, 1);
  ext.ip.ext_headers = {kExtHopByHop, kExtRouting, kExtDstOpts};
  frag.l4.payload = Bytes(64, 2);
  PacketSpec other = tcp4();
  other.ip.dst = ip("192.0.2.99");
  return {
      {"tcp4", frame(tcp4()), 14 + 20, true, true},
      {"tcp4_one_vlan_tag", frame(vlan1), 18 + 20, true, true},
      {"tcp6_two_vlan_tags", frame(vlan2), 22 + 40, true, true},
      {"udp4_options", frame(opts), 14 + 20, true, true},
      {"tcp6_ext_headers", frame(ext), 14 + 40, true, true},
      {"udp6_first_fragment", fragment_frames(frag, 32)[0], 14 + 40, true, true},
      {"icmp4_frag_needed",
       icmp_too_big_frame(EthSpec{}, ip("203.0.113.1"), ip("192.0.2.10"), reply_quote(false), 1400),
       14 + 20, true, false},
      {"icmp6_too_big",
       icmp_too_big_frame(EthSpec{}, ip("2001:db8:ffff::1"), ip("2001:db8::10"), reply_quote(true),
                          1280),
       14 + 40, true, false},
      {"not_a_vip", frame(other), 14 + 20, false, false},
  };
}

class Truncation : public MalformedTest, public ::testing::WithParamInterface<TruncationCase> {};

TEST_P(Truncation, EveryCutGivesASaneVerdict) {
  const TruncationCase& c = GetParam();
  ASSERT_EQ(run(c.frame).action, c.vip ? XDP_TX : XDP_PASS) << "the whole frame";
  uint64_t passed = c.vip ? 0 : 1, dropped = 0;
  for (size_t len = 0; len < c.frame.size(); len++) {
    SCOPED_TRACE(len);
    Bytes cut(c.frame.begin(), c.frame.begin() + len);
    auto out = test_run(prog_fd(), cut);
    if (!out.ok()) {
      EXPECT_LT(len, 14u) << "the kernel refused a frame of " << len << " bytes";
      continue;
    }
    EXPECT_EQ(out->frame, cut) << "a cut frame was modified";
    bool drop = c.vip && len >= c.dst_known;
    EXPECT_EQ(out->action, drop ? XDP_DROP : XDP_PASS);
    (drop ? dropped : passed)++;
  }
  StatsSnapshot st = stats();
  EXPECT_EQ(st.global[XLB_G_PASS], passed);
  EXPECT_EQ(st.global[XLB_G_DROP], dropped);
  EXPECT_EQ(st.global[XLB_G_DROP_MALFORMED], dropped);
  EXPECT_EQ(flows().size(), c.makes_flow ? 1u : 0u) << "only the whole frame makes a flow";
}

INSTANTIATE_TEST_SUITE_P(Frames, Truncation, ::testing::ValuesIn(truncation_cases()),
                         [](const auto& info) { return std::string(info.param.name); });

// A good frame with one field spoiled.
struct SpoiledCase {
  const char* name;
  PacketSpec packet;
  size_t at;  // offset in the IP packet
  std::vector<uint8_t> bytes;
  uint32_t action;
};

void PrintTo(const SpoiledCase& c, std::ostream* os) { *os << c.name; }

PacketSpec with_ext(PacketSpec p) {
  p.ip.ext_headers = {kExtHopByHop};
  return p;
}

PacketSpec to_other(PacketSpec p) {
  p.ip.dst = ip("192.0.2.99");
  return p;
}

const SpoiledCase kSpoiled[] = {
    {"ipv4_ihl_4", tcp4(), 0, {0x44}, XDP_DROP},
    {"ipv4_version_5", tcp4(), 0, {0x55}, XDP_DROP},
    {"ipv4_version_6", tcp4(), 0, {0x65}, XDP_DROP},
    {"ipv4_tot_len_below_header", tcp4(), 2, {0, 19}, XDP_DROP},
    {"ipv4_tot_len_beyond_frame", tcp4(), 2, {0, 41}, XDP_DROP},
    {"ipv4_ihl_beyond_tot_len", tcp4(), 0, {0x4f}, XDP_DROP},
    {"ipv4_tot_len_without_l4", tcp4(), 2, {0, 20}, XDP_DROP},
    {"tcp_doff_4", tcp4(), 32, {0x40}, XDP_DROP},
    {"tcp_doff_beyond_segment", tcp4(), 32, {0x60}, XDP_DROP},
    {"udp_shorter_than_its_header", udp(tcp4()), 2, {0, 20 + 7}, XDP_DROP},
    {"ipv6_version_4", tcp6(), 0, {0x40}, XDP_DROP},
    {"ipv6_payload_len_beyond_frame", tcp6(), 4, {0, 21}, XDP_DROP},
    {"ipv6_payload_len_below_tcp_header", tcp6(), 4, {0, 19}, XDP_DROP},
    {"ipv6_ext_header_beyond_frame", with_ext(tcp6()), 41, {20}, XDP_DROP},
    {"ipv6_ext_header_beyond_payload_len", with_ext(tcp6()), 41, {2}, XDP_DROP},
    {"not_a_vip_ihl_4", to_other(tcp4()), 0, {0x44}, XDP_PASS},
    {"not_a_vip_tot_len_beyond_frame", to_other(tcp4()), 2, {0x10, 0}, XDP_PASS},
};

class Spoiled : public MalformedTest, public ::testing::WithParamInterface<SpoiledCase> {};

TEST_P(Spoiled, VipPacketDroppedAsMalformedOthersPassed) {
  const SpoiledCase& c = GetParam();
  Bytes f = frame(c.packet);
  std::copy(c.bytes.begin(), c.bytes.end(), f.begin() + 14 + c.at);
  TestRunOutput out = run(f);
  EXPECT_EQ(out.action, c.action);
  EXPECT_EQ(out.frame, f);
  StatsSnapshot st = stats();
  EXPECT_EQ(st.global[XLB_G_DROP_MALFORMED], c.action == XDP_DROP ? 1u : 0u);
  EXPECT_EQ(st.global[XLB_G_PASS], c.action == XDP_PASS ? 1u : 0u);
}

INSTANTIATE_TEST_SUITE_P(Fields, Spoiled, ::testing::ValuesIn(kSpoiled),
                         [](const auto& info) { return std::string(info.param.name); });

TEST_F(MalformedTest, EthernetPaddingAfterThePacketIsFine) {
  Bytes f = frame(tcp4());
  f.resize(f.size() + 26, 0);  // as a 60-byte minimum frame would carry
  IpAddr to = run_to_backend(f);
  EXPECT_EQ(to, ip("10.0.0.1"));
}

}  // namespace
}  // namespace xlb::test
