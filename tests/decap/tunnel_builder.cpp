#include "tunnel_builder.hpp"

namespace xlb::test {

namespace {

constexpr uint8_t kProtoIpip = 4, kProtoIpv6 = 41;

void put16(Bytes& b, uint16_t v) {
  b.push_back(v >> 8);
  b.push_back(v & 0xff);
}

bool inner_v6(const Bytes& inner) { return !inner.empty() && (inner[0] >> 4) == 6; }

Bytes gre_header(const TunnelSpec& t, const Bytes& inner) {
  Bytes h;
  uint16_t flags = (t.gre_csum ? 0x8000 : 0) | (t.gre_key ? 0x2000 : 0) | (t.gre_seq ? 0x1000 : 0) |
                   t.gre_extra_flags;
  put16(h, flags);
  put16(h, t.gre_proto ? t.gre_proto : (inner_v6(inner) ? kEtherIpv6 : kEtherIpv4));
  size_t csum_at = h.size();
  if (t.gre_csum) h.insert(h.end(), {0, 0, 0, 0});
  if (t.gre_key) h.insert(h.end(), {0xde, 0xad, 0xbe, 0xef});
  if (t.gre_seq) h.insert(h.end(), {0, 0, 0, 42});
  if (t.gre_csum) {
    Bytes all = h;
    all.insert(all.end(), inner.begin(), inner.end());
    uint16_t c = inet_checksum(all.data(), all.size());
    h[csum_at] = c >> 8;
    h[csum_at + 1] = c & 0xff;
  }
  return h;
}

Bytes gue_header(const TunnelSpec& t, const Bytes& inner) {
  if (t.gue_variant1) return {};
  Bytes h;
  h.push_back((t.gue_control ? 0x20 : 0) | (t.gue_hlen & 0x1f));
  h.push_back(t.gue_proto ? t.gue_proto : (inner_v6(inner) ? kProtoIpv6 : kProtoIpip));
  put16(h, 0);
  for (int i = 0; i < t.gue_hlen * 4; i++) h.push_back(0xa0 + i);
  return h;
}

IpSpec outer_ip(const TunnelSpec& t, uint8_t proto) {
  IpSpec ip;
  ip.src = t.outer_src;
  ip.dst = t.outer_dst;
  ip.proto = proto;
  ip.more_fragments = t.outer_more_fragments;
  if (t.outer_more_fragments && t.outer_src.is_v6()) ip.ext_headers = {kExtFragment};
  return ip;
}

}  // namespace

const char* method_name(Method m) {
  switch (m) {
    case Method::ipip:
      return "ipip";
    case Method::gre:
      return "gre";
    case Method::gue:
      return "gue";
    default:
      return "fou";
  }
}

Bytes tunnel_packet(const TunnelSpec& t, const Bytes& inner) {
  if (t.method == Method::ipip) {
    uint8_t proto = t.outer_proto ? t.outer_proto : (inner_v6(inner) ? kProtoIpv6 : kProtoIpip);
    return ip_packet(outer_ip(t, proto), inner);
  }
  if (t.method == Method::gre) {
    Bytes body = gre_header(t, inner);
    body.insert(body.end(), inner.begin(), inner.end());
    return ip_packet(outer_ip(t, t.outer_proto ? t.outer_proto : kProtoGre), body);
  }
  IpSpec ip = outer_ip(t, kProtoUdp);
  L4Spec udp;
  udp.sport = t.udp_sport;
  udp.dport = t.udp_dport ? t.udp_dport : (t.method == Method::gue ? 6080 : 5555);
  udp.payload = t.method == Method::gue ? gue_header(t, inner) : Bytes{};
  udp.payload.insert(udp.payload.end(), inner.begin(), inner.end());
  return ip_packet(ip, l4_segment(ip, udp));
}

}  // namespace xlb::test
