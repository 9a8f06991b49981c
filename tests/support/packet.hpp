// Frames for packet tests: a builder (Ethernet with VLAN tags, IPv4 with
// options and fragmentation, IPv6 with extension headers, TCP, UDP, ICMP
// errors quoting a packet; checksums correct) and a parser to check what a
// program sent back.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "base/addr.hpp"

namespace xlb::test {

using Bytes = std::vector<uint8_t>;

constexpr uint8_t kTcpFin = 0x01, kTcpSyn = 0x02, kTcpRst = 0x04, kTcpPsh = 0x08, kTcpAck = 0x10;
constexpr uint8_t kProtoIcmp = 1, kProtoTcp = 6, kProtoUdp = 17, kProtoIcmp6 = 58, kProtoGre = 47;
// IPv6 extension headers the builder can add, by their next-header numbers.
constexpr uint8_t kExtHopByHop = 0, kExtRouting = 43, kExtFragment = 44, kExtDstOpts = 60;
constexpr uint16_t kEtherIpv4 = 0x0800, kEtherIpv6 = 0x86dd, kEtherArp = 0x0806;
constexpr uint16_t kTpid8021q = 0x8100, kTpid8021ad = 0x88a8;

struct VlanTag {
  uint16_t tpid = kTpid8021q;
  uint16_t tci = 0;
  bool operator==(const VlanTag&) const = default;
};

struct EthSpec {
  MacAddr dst = *MacAddr::parse("02:00:00:00:00:01");  // the load balancer
  MacAddr src = *MacAddr::parse("02:00:00:00:00:fe");  // the router
  std::vector<VlanTag> vlans;                          // outermost first
};

// An IP header. The family is the source address's. Fields the family does
// not have are ignored.
struct IpSpec {
  IpAddr src, dst;
  uint8_t proto = kProtoTcp;
  uint8_t ttl = 64;
  Bytes options;  // IPv4 options, padded with zeros to a multiple of 4
  bool dont_fragment = false;
  // IPv4 flags/offset, or the IPv6 fragment header's (when ext_headers has one).
  bool more_fragments = false;
  uint16_t frag_offset = 0;  // in 8-octet units
  uint32_t frag_id = 0x4242;
  // IPv6 extension headers in order: kExtHopByHop (8 bytes), kExtDstOpts (16),
  // kExtRouting (24: a segment routing header with nothing left to do),
  // kExtFragment (8).
  std::vector<uint8_t> ext_headers;
};

struct L4Spec {
  uint16_t sport = 0, dport = 0;
  uint8_t tcp_flags = kTcpSyn;
  uint32_t seq = 1000;
  Bytes payload;
};

struct PacketSpec {
  EthSpec eth;
  IpSpec ip;
  L4Spec l4;
};

// The TCP or UDP segment (header, payload), checksummed for `ip`.
Bytes l4_segment(const IpSpec& ip, const L4Spec& l4);
// An IP packet carrying `body` (a segment, an ICMP message, fragment data).
Bytes ip_packet(const IpSpec& ip, const Bytes& body);
// An Ethernet frame; the ethertype follows the IP version of `l3`.
Bytes ethernet(const EthSpec& eth, const Bytes& l3);
Bytes ethernet(const EthSpec& eth, uint16_t ethertype, const Bytes& payload);

// The whole frame of a TCP or UDP packet.
Bytes frame(const PacketSpec& p);
// The frames of the datagram `p` cut into fragments of at most `chunk`
// bytes of L4 data (a multiple of 8). IPv6 gets a fragment header.
std::vector<Bytes> fragment_frames(const PacketSpec& p, size_t chunk);
// An ICMP or ICMPv6 error from `router` to `to`, quoting the first
// `quote_len` bytes of `quoted`; `rest` is the header's second word.
Bytes icmp_error_frame(const EthSpec& eth, const IpAddr& router, const IpAddr& to, uint8_t type,
                       uint8_t code, uint32_t rest, const Bytes& quoted, size_t quote_len = 576);
// Fragmentation needed (IPv4 type 3 code 4) or packet too big (ICMPv6 type 2).
Bytes icmp_too_big_frame(const EthSpec& eth, const IpAddr& router, const IpAddr& to,
                         const Bytes& quoted, uint16_t mtu, size_t quote_len = 576);
// An ICMP or ICMPv6 message of `type` and `code` (identifier 1, sequence 1,
// 16 bytes of data), checksummed.
Bytes icmp_message_frame(const EthSpec& eth, const IpAddr& from, const IpAddr& to, uint8_t type,
                         uint8_t code, uint8_t ttl = 64);
// An ICMP echo request (IPv4) or ICMPv6 echo request.
Bytes icmp_echo_frame(const EthSpec& eth, const IpAddr& from, const IpAddr& to);

// The Internet checksum of `data` plus a partial sum.
uint16_t inet_checksum(const uint8_t* data, size_t len, uint32_t sum = 0);

// ------------------------------------------------------------------- parsing

struct ParsedFrame {
  MacAddr dst, src;
  std::vector<VlanTag> vlans;
  uint16_t ethertype = 0;
  Bytes l3;  // everything after the last tag
};
std::optional<ParsedFrame> parse_frame(const Bytes& frame);

struct ParsedIp {
  IpAddr src, dst;
  uint8_t proto = 0;  // after IPv6 extension headers
  bool fragment = false;
  uint16_t sport = 0, dport = 0;  // TCP/UDP, not fragments
  bool checksums_ok = false;      // IPv4 header, and L4 unless a fragment
};
std::optional<ParsedIp> parse_ip(const Bytes& l3);

}  // namespace xlb::test
