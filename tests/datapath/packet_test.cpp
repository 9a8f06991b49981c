// The frame builder and parser the datapath tests rely on, checked against
// frames made by an independent tool (scapy 2.5; the script is in each
// comment) so that a checksum or layout bug here cannot hide one there.
#include <gtest/gtest.h>

#include <string>

#include "datapath_fixture.hpp"

namespace xlb::test {
namespace {

Bytes from_hex(const std::string& hex) {
  Bytes out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(std::stoi(hex.substr(i, 2), nullptr, 16));
  return out;
}

PacketSpec packet(const char* src, const char* dst, uint8_t proto, uint16_t sport, uint16_t dport,
                  uint8_t flags) {
  return make_packet(src, dst, proto, sport, dport, flags);
}

// Ether()/IP(src="198.51.100.7", dst="192.0.2.10", id=0x4242)/
//   TCP(sport=40001, dport=80, seq=1000, flags='S', window=65535)
TEST(PacketBuilder, TcpSynV4MatchesScapy) {
  Bytes want = from_hex(
      "0200000000010200000000fe0800450000284242000040064c49c6336407c000020a9c410050000003e80000"
      "00005002ffff23240000");
  EXPECT_EQ(frame(packet("198.51.100.7", "192.0.2.10", kProtoTcp, 40001, 80, kTcpSyn)), want);
}

// Ether()/Dot1AD(vlan=7, prio=1)/Dot1Q(vlan=10)/IPv6(src="2001:db8:100::7",
//   dst="2001:db8::10")/IPv6ExtHdrHopByHop(options=[PadN(optdata=b'\0'*4)])/
//   UDP(sport=40001, dport=53)/Raw(b'\x5a'*8)
TEST(PacketBuilder, UdpV6WithTagsAndHopByHopMatchesScapy) {
  Bytes want = from_hex(
      "0200000000010200000000fe88a820078100000a86dd600000000018004020010db8010000000000000000"
      "00000720010db800000000000000000000001011000104000000009c41003500109d655a5a5a5a5a5a5a5a");
  PacketSpec p = packet("2001:db8:100::7", "2001:db8::10", kProtoUdp, 40001, 53, 0);
  p.eth.vlans = {{kTpid8021ad, 0x2007}, {kTpid8021q, 10}};
  p.ip.ext_headers = {kExtHopByHop};
  p.l4.payload = Bytes(8, 0x5a);
  EXPECT_EQ(frame(p), want);
}

// Ether()/IP(src="203.0.113.1", dst="192.0.2.10", id=0x4242)/
//   ICMP(type=3, code=4, nexthopmtu=1400)/Raw(bytes(IP(src="192.0.2.10",
//   dst="198.51.100.7", id=0x4242, flags='DF')/TCP(sport=80, dport=40001,
//   seq=1000, ack=1, flags='A', window=65535)/Raw(b'\x01'*20)))
TEST(PacketBuilder, IcmpFragNeededMatchesScapy) {
  Bytes want = from_hex(
      "0200000000010200000000fe0800450000584242000040013a57cb007101c000020a0304e3f700000578450000"
      "3c4242400040060c35c000020ac633640700509c41000003e8000000015010ffff18f70000010101010101010101"
      "0101010101010101010101");
  PacketSpec reply = packet("192.0.2.10", "198.51.100.7", kProtoTcp, 80, 40001, kTcpAck);
  reply.ip.dont_fragment = true;
  reply.l4.payload = Bytes(20, 1);
  Bytes quoted = ip_packet(reply.ip, l4_segment(reply.ip, reply.l4));
  EXPECT_EQ(icmp_too_big_frame(EthSpec{}, ip("203.0.113.1"), ip("192.0.2.10"), quoted, 1400), want);
}

// Ether()/IPv6(src="2001:db8:ffff::1", dst="2001:db8::10")/
//   ICMPv6PacketTooBig(mtu=1280)/Raw(bytes(IPv6(src="2001:db8::10",
//   dst="2001:db8:100::7")/TCP(sport=443, dport=40001, seq=1000, ack=1,
//   flags='A', window=65535)))
TEST(PacketBuilder, Icmpv6PacketTooBigMatchesScapy) {
  Bytes want = from_hex(
      "0200000000010200000000fe86dd6000000000443a4020010db8ffff0000000000000000000120010db80000"
      "00000000000000000010020036c400000500600000000014064020010db8000000000000000000000010200"
      "10db801000000000000000000000701bb9c41000003e8000000015010ffffb1660000");
  PacketSpec reply = packet("2001:db8::10", "2001:db8:100::7", kProtoTcp, 443, 40001, kTcpAck);
  Bytes quoted = ip_packet(reply.ip, l4_segment(reply.ip, reply.l4));
  EXPECT_EQ(icmp_too_big_frame(EthSpec{}, ip("2001:db8:ffff::1"), ip("2001:db8::10"), quoted, 1280),
            want);
}

TEST(PacketParser, ReadsWhatTheBuilderWrote) {
  PacketSpec p = packet("2001:db8:100::7", "2001:db8::10", kProtoTcp, 1234, 443, kTcpSyn);
  p.eth.vlans = {{kTpid8021q, 99}};
  p.ip.ext_headers = {kExtHopByHop, kExtDstOpts, kExtRouting};
  auto f = parse_frame(frame(p));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->dst, p.eth.dst);
  EXPECT_EQ(f->src, p.eth.src);
  EXPECT_EQ(f->vlans, p.eth.vlans);
  EXPECT_EQ(f->ethertype, kEtherIpv6);
  auto i = parse_ip(f->l3);
  ASSERT_TRUE(i);
  EXPECT_EQ(i->src, p.ip.src);
  EXPECT_EQ(i->dst, p.ip.dst);
  EXPECT_EQ(i->proto, kProtoTcp);
  EXPECT_EQ(i->sport, 1234);
  EXPECT_EQ(i->dport, 443);
  EXPECT_FALSE(i->fragment);
  EXPECT_TRUE(i->checksums_ok);
}

TEST(PacketParser, SeesACorruptedChecksum) {
  Bytes f = frame(packet("198.51.100.7", "192.0.2.10", kProtoUdp, 1, 2, 0));
  f.back() ^= 0xff;
  auto i = parse_ip(parse_frame(f)->l3);
  ASSERT_TRUE(i);
  EXPECT_FALSE(i->checksums_ok);
}

TEST(PacketBuilder, FragmentsCarryTheDatagramInOrder) {
  const std::pair<const char*, const char*> flows[] = {{"198.51.100.7", "192.0.2.20"},
                                                       {"2001:db8:100::7", "2001:db8::20"}};
  for (const auto& [src, dst] : flows) {
    SCOPED_TRACE(src);
    PacketSpec p = packet(src, dst, kProtoUdp, 5000, 6000, 0);
    p.l4.payload = Bytes(100, 7);
    std::vector<Bytes> frags = fragment_frames(p, 48);
    ASSERT_EQ(frags.size(), 3u);  // 108 bytes of UDP: 48 + 48 + 12
    Bytes joined;
    for (size_t i = 0; i < frags.size(); i++) {
      auto ip_hdr = parse_ip(parse_frame(frags[i])->l3);
      ASSERT_TRUE(ip_hdr);
      EXPECT_TRUE(ip_hdr->fragment);
      EXPECT_EQ(ip_hdr->proto, kProtoUdp);
      Bytes l3 = parse_frame(frags[i])->l3;
      size_t hdr = p.ip.src.is_v6() ? 48 : 20;
      joined.insert(joined.end(), l3.begin() + hdr, l3.end());
    }
    EXPECT_EQ(joined, l4_segment(p.ip, p.l4));
  }
}

}  // namespace
}  // namespace xlb::test
