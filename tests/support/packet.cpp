#include "packet.hpp"

#include <algorithm>

namespace xlb::test {

namespace {

void put8(Bytes& b, uint8_t v) { b.push_back(v); }
void put16(Bytes& b, uint16_t v) {
  b.push_back(v >> 8);
  b.push_back(v & 0xff);
}
void put32(Bytes& b, uint32_t v) {
  put16(b, v >> 16);
  put16(b, v & 0xffff);
}
void put_bytes(Bytes& b, const uint8_t* p, size_t n) { b.insert(b.end(), p, p + n); }
void put_addr(Bytes& b, const IpAddr& a) { put_bytes(b, a.bytes.data(), a.is_v6() ? 16 : 4); }
void set16(Bytes& b, size_t at, uint16_t v) {
  b[at] = v >> 8;
  b[at + 1] = v & 0xff;
}
uint16_t get16(const Bytes& b, size_t at) { return (b[at] << 8) | b[at + 1]; }

uint32_t partial_sum(const uint8_t* data, size_t len, uint32_t sum) {
  for (size_t i = 0; i + 1 < len; i += 2) sum += (data[i] << 8) | data[i + 1];
  if (len & 1) sum += data[len - 1] << 8;
  return sum;
}

// The pseudo header of TCP, UDP and ICMPv6 checksums.
uint32_t pseudo_header_sum(const IpAddr& src, const IpAddr& dst, uint8_t proto, size_t len) {
  size_t alen = src.is_v6() ? 16 : 4;
  uint32_t sum = partial_sum(src.bytes.data(), alen, 0);
  sum = partial_sum(dst.bytes.data(), alen, sum);
  return sum + proto + static_cast<uint32_t>(len);
}

// Where the checksum of a segment of `proto` lives, or 0 when it has none.
size_t checksum_offset(uint8_t proto) {
  switch (proto) {
    case kProtoTcp:
      return 16;
    case kProtoUdp:
      return 6;
    case kProtoIcmp:
    case kProtoIcmp6:
      return 2;
    default:
      return 0;
  }
}

// Fills the checksum of an L4 message in place.
void checksum_l4(Bytes& seg, const IpAddr& src, const IpAddr& dst, uint8_t proto) {
  size_t at = checksum_offset(proto);
  if (!at || seg.size() < at + 2) return;
  set16(seg, at, 0);
  uint32_t sum = proto == kProtoIcmp ? 0 : pseudo_header_sum(src, dst, proto, seg.size());
  uint16_t c = inet_checksum(seg.data(), seg.size(), sum);
  if (proto == kProtoUdp && c == 0) c = 0xffff;
  set16(seg, at, c);
}

Bytes ipv4_header(const IpSpec& ip, size_t body_len) {
  Bytes opts = ip.options;
  opts.resize((opts.size() + 3) / 4 * 4, 0);
  size_t hlen = 20 + opts.size();
  Bytes h;
  put8(h, 0x40 | (hlen / 4));
  put8(h, 0);
  put16(h, hlen + body_len);
  put16(h, ip.frag_id & 0xffff);
  put16(h, (ip.dont_fragment ? 0x4000 : 0) | (ip.more_fragments ? 0x2000 : 0) |
               (ip.frag_offset & 0x1fff));
  put8(h, ip.ttl);
  put8(h, ip.proto);
  put16(h, 0);
  put_addr(h, ip.src);
  put_addr(h, ip.dst);
  put_bytes(h, opts.data(), opts.size());
  set16(h, 10, inet_checksum(h.data(), h.size()));
  return h;
}

// One IPv6 extension header of kind `ext`, followed by `next`.
Bytes ipv6_ext_header(const IpSpec& ip, uint8_t ext, uint8_t next) {
  Bytes h;
  put8(h, next);
  switch (ext) {
    case kExtFragment:
      put8(h, 0);
      put16(h, (ip.frag_offset << 3) | (ip.more_fragments ? 1 : 0));
      put32(h, ip.frag_id);
      break;
    case kExtRouting:  // segment routing, segments left 0, one segment
      put8(h, 2);
      put8(h, 4);
      put8(h, 0);
      put32(h, 0);
      put_addr(h, ip.dst);
      break;
    case kExtDstOpts:  // PadN filling 16 bytes
      put8(h, 1);
      put8(h, 1);
      put8(h, 12);
      h.resize(16, 0);
      break;
    default:  // hop-by-hop: PadN filling 8 bytes
      put8(h, 0);
      put8(h, 1);
      put8(h, 4);
      h.resize(8, 0);
      break;
  }
  return h;
}

Bytes ipv6_header(const IpSpec& ip, size_t body_len) {
  Bytes ext;
  for (size_t i = 0; i < ip.ext_headers.size(); i++) {
    uint8_t next = i + 1 < ip.ext_headers.size() ? ip.ext_headers[i + 1] : ip.proto;
    Bytes one = ipv6_ext_header(ip, ip.ext_headers[i], next);
    ext.insert(ext.end(), one.begin(), one.end());
  }
  Bytes h;
  put32(h, 0x60000000);
  put16(h, ext.size() + body_len);
  put8(h, ip.ext_headers.empty() ? ip.proto : ip.ext_headers[0]);
  put8(h, ip.ttl);
  put_addr(h, ip.src);
  put_addr(h, ip.dst);
  h.insert(h.end(), ext.begin(), ext.end());
  return h;
}

Bytes icmp_message(uint8_t type, uint8_t code, uint32_t rest, const Bytes& body) {
  Bytes m;
  put8(m, type);
  put8(m, code);
  put16(m, 0);
  put32(m, rest);
  m.insert(m.end(), body.begin(), body.end());
  return m;
}

Bytes icmp_frame(const EthSpec& eth, const IpAddr& from, const IpAddr& to, Bytes msg,
                 uint8_t ttl = 64) {
  IpSpec ip;
  ip.src = from;
  ip.dst = to;
  ip.ttl = ttl;
  ip.proto = from.is_v6() ? kProtoIcmp6 : kProtoIcmp;
  checksum_l4(msg, from, to, ip.proto);
  return ethernet(eth, ip_packet(ip, msg));
}

}  // namespace

uint16_t inet_checksum(const uint8_t* data, size_t len, uint32_t sum) {
  sum = partial_sum(data, len, sum);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

Bytes l4_segment(const IpSpec& ip, const L4Spec& l4) {
  Bytes s;
  put16(s, l4.sport);
  put16(s, l4.dport);
  if (ip.proto == kProtoTcp) {
    put32(s, l4.seq);
    put32(s, (l4.tcp_flags & kTcpAck) ? 1 : 0);
    put8(s, 5 << 4);
    put8(s, l4.tcp_flags);
    put16(s, 65535);
    put16(s, 0);
    put16(s, 0);
  } else {
    put16(s, 8 + l4.payload.size());
    put16(s, 0);
  }
  s.insert(s.end(), l4.payload.begin(), l4.payload.end());
  checksum_l4(s, ip.src, ip.dst, ip.proto);
  return s;
}

Bytes ip_packet(const IpSpec& ip, const Bytes& body) {
  Bytes p = ip.src.is_v6() ? ipv6_header(ip, body.size()) : ipv4_header(ip, body.size());
  p.insert(p.end(), body.begin(), body.end());
  return p;
}

Bytes ethernet(const EthSpec& eth, uint16_t ethertype, const Bytes& payload) {
  Bytes f;
  put_bytes(f, eth.dst.bytes.data(), 6);
  put_bytes(f, eth.src.bytes.data(), 6);
  for (const VlanTag& t : eth.vlans) {
    put16(f, t.tpid);
    put16(f, t.tci);
  }
  put16(f, ethertype);
  f.insert(f.end(), payload.begin(), payload.end());
  return f;
}

Bytes ethernet(const EthSpec& eth, const Bytes& l3) {
  bool v6 = !l3.empty() && (l3[0] >> 4) == 6;
  return ethernet(eth, v6 ? kEtherIpv6 : kEtherIpv4, l3);
}

Bytes frame(const PacketSpec& p) {
  return ethernet(p.eth, ip_packet(p.ip, l4_segment(p.ip, p.l4)));
}

std::vector<Bytes> fragment_frames(const PacketSpec& p, size_t chunk) {
  Bytes seg = l4_segment(p.ip, p.l4);
  IpSpec ip = p.ip;
  if (ip.src.is_v6() &&
      std::find(ip.ext_headers.begin(), ip.ext_headers.end(), kExtFragment) == ip.ext_headers.end())
    ip.ext_headers.push_back(kExtFragment);
  std::vector<Bytes> out;
  for (size_t off = 0; off < seg.size(); off += chunk) {
    size_t n = std::min(chunk, seg.size() - off);
    ip.frag_offset = off / 8;
    ip.more_fragments = off + n < seg.size();
    out.push_back(ethernet(p.eth, ip_packet(ip, Bytes(seg.begin() + off, seg.begin() + off + n))));
  }
  return out;
}

Bytes icmp_error_frame(const EthSpec& eth, const IpAddr& router, const IpAddr& to, uint8_t type,
                       uint8_t code, uint32_t rest, const Bytes& quoted, size_t quote_len) {
  Bytes quote(quoted.begin(), quoted.begin() + std::min(quote_len, quoted.size()));
  return icmp_frame(eth, router, to, icmp_message(type, code, rest, quote));
}

Bytes icmp_too_big_frame(const EthSpec& eth, const IpAddr& router, const IpAddr& to,
                         const Bytes& quoted, uint16_t mtu, size_t quote_len) {
  if (router.is_v6()) return icmp_error_frame(eth, router, to, 2, 0, mtu, quoted, quote_len);
  return icmp_error_frame(eth, router, to, 3, 4, mtu, quoted, quote_len);
}

Bytes icmp_message_frame(const EthSpec& eth, const IpAddr& from, const IpAddr& to, uint8_t type,
                         uint8_t code, uint8_t ttl) {
  Bytes data(16, 0xab);
  return icmp_frame(eth, from, to, icmp_message(type, code, 0x00010001, data), ttl);
}

Bytes icmp_echo_frame(const EthSpec& eth, const IpAddr& from, const IpAddr& to) {
  return icmp_message_frame(eth, from, to, from.is_v6() ? 128 : 8, 0);
}

// -------------------------------------------------------------------- parsing

std::optional<ParsedFrame> parse_frame(const Bytes& f) {
  if (f.size() < 14) return std::nullopt;
  ParsedFrame p;
  std::copy_n(f.begin(), 6, p.dst.bytes.begin());
  std::copy_n(f.begin() + 6, 6, p.src.bytes.begin());
  size_t at = 12;
  uint16_t type = get16(f, at);
  while (type == kTpid8021q || type == kTpid8021ad) {
    if (f.size() < at + 6) return std::nullopt;
    p.vlans.push_back({type, get16(f, at + 2)});
    at += 4;
    type = get16(f, at);
  }
  p.ethertype = type;
  p.l3.assign(f.begin() + at + 2, f.end());
  return p;
}

namespace {

void parse_ports(const Bytes& l3, size_t l4, ParsedIp& p) {
  if ((p.proto == kProtoTcp || p.proto == kProtoUdp) && !p.fragment && l3.size() >= l4 + 4) {
    p.sport = get16(l3, l4);
    p.dport = get16(l3, l4 + 2);
  }
}

bool l4_checksum_ok(const Bytes& l3, size_t l4, size_t end, const ParsedIp& p) {
  if (p.fragment || !checksum_offset(p.proto)) return true;
  if (end > l3.size() || l4 > end) return false;
  uint32_t sum = p.proto == kProtoIcmp ? 0 : pseudo_header_sum(p.src, p.dst, p.proto, end - l4);
  return inet_checksum(l3.data() + l4, end - l4, sum) == 0;
}

std::optional<ParsedIp> parse_ipv4(const Bytes& l3) {
  if (l3.size() < 20 || (l3[0] >> 4) != 4) return std::nullopt;
  size_t hlen = (l3[0] & 0xf) * 4;
  size_t total = get16(l3, 2);
  if (hlen < 20 || total < hlen || total > l3.size()) return std::nullopt;
  ParsedIp p;
  p.src.family = p.dst.family = XLB_AF_INET;
  std::copy_n(l3.begin() + 12, 4, p.src.bytes.begin());
  std::copy_n(l3.begin() + 16, 4, p.dst.bytes.begin());
  p.proto = l3[9];
  p.fragment = (get16(l3, 6) & 0x3fff) != 0;
  parse_ports(l3, hlen, p);
  p.checksums_ok = inet_checksum(l3.data(), hlen) == 0 && l4_checksum_ok(l3, hlen, total, p);
  return p;
}

std::optional<ParsedIp> parse_ipv6(const Bytes& l3) {
  if (l3.size() < 40 || (l3[0] >> 4) != 6) return std::nullopt;
  ParsedIp p;
  p.src.family = p.dst.family = XLB_AF_INET6;
  std::copy_n(l3.begin() + 8, 16, p.src.bytes.begin());
  std::copy_n(l3.begin() + 24, 16, p.dst.bytes.begin());
  size_t end = 40 + get16(l3, 4), at = 40;
  uint8_t next = l3[6];
  while (next == kExtHopByHop || next == kExtRouting || next == kExtDstOpts ||
         next == kExtFragment) {
    if (l3.size() < at + 8) return std::nullopt;
    if (next == kExtFragment) p.fragment = true;
    size_t len = next == kExtFragment ? 8 : (l3[at + 1] + 1) * 8;
    next = l3[at];
    at += len;
  }
  p.proto = next;
  parse_ports(l3, at, p);
  p.checksums_ok = l4_checksum_ok(l3, at, end, p);
  return p;
}

}  // namespace

std::optional<ParsedIp> parse_ip(const Bytes& l3) {
  if (l3.empty()) return std::nullopt;
  return (l3[0] >> 4) == 6 ? parse_ipv6(l3) : parse_ipv4(l3);
}

}  // namespace xlb::test
