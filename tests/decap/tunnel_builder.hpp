// Tunnel frames for the xlb-decap tests, built from the wire formats of
// xlb(8) and nothing of bpf/: an outer IPv4/IPv6 header (protocol 4/41,
// 47 or UDP), the GRE or GUE header or none, the inner packet.
#pragma once

#include <cstdint>
#include <string>

#include "packet.hpp"

namespace xlb::test {

enum class Method { ipip, gre, gue, fou };
const char* method_name(Method m);

struct TunnelSpec {
  Method method = Method::ipip;
  IpAddr outer_src, outer_dst;
  uint16_t udp_sport = 40123;
  uint16_t udp_dport = 0;  // 0: the method's default port
  // GRE: optional words (RFC 2890); any other bits of the first 16.
  bool gre_csum = false, gre_key = false, gre_seq = false;
  uint16_t gre_extra_flags = 0;
  uint16_t gre_proto = 0;  // 0: by the inner packet's version
  // GUE variant 0: control bit, option words, protocol (0: by inner).
  bool gue_control = false;
  uint8_t gue_hlen = 0;
  uint8_t gue_proto = 0;
  bool gue_variant1 = false;  // GUE variant 1: the inner header directly
  uint8_t outer_proto = 0;    // ipip: 0 means 4 or 41 by the inner version
  bool outer_more_fragments = false;
};

// The outer IP packet carrying `inner` (an IP packet).
Bytes tunnel_packet(const TunnelSpec& t, const Bytes& inner);

}  // namespace xlb::test
