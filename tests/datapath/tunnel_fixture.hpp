// The fixture of the tunnel tests, and a parser of what the datapath sends
// written here from the RFCs, independently of bpf/ (its own offsets, its
// own checksum code).
//
// The load balancer's side of the network is a namespace of the test's own
// (the thread enters it, so the datapath's FIB lookups see it): device v0
// (a veth) with 10.9.0.1/24 and fd09::1/64, permanent neighbours for the
// backends and gateways, forwarding on. Frames arrive on the namespace's
// loopback unless a test says otherwise, so the next hop, on v0, is reached
// by XDP_REDIRECT.
#pragma once

#include <optional>

#include "datapath_fixture.hpp"
#include "netns.hpp"

namespace xlb::test {

// The outer headers of an encapsulated frame.
struct Outer {
  MacAddr dst, src;
  uint16_t ethertype = 0;
  int version = 0;  // 4 or 6
  IpAddr src_ip, dst_ip;
  uint8_t proto = 0, ttl = 0, tos = 0;
  bool df = false;
  uint32_t flow_label = 0;
  bool ip_csum_ok = false;
  Bytes payload;  // after the outer IP header, as long as the IP length says
};
std::optional<Outer> parse_outer(const Bytes& frame);

struct Udp {
  uint16_t sport = 0, dport = 0, len = 0, check = 0;
  bool csum_ok = false;
  Bytes payload;
};
// The UDP datagram in o.payload, its checksum verified with the outer
// pseudo-header.
std::optional<Udp> parse_udp(const Outer& o);

// RFC 1071 sum of `data` (odd tail padded with a zero), added to `sum`.
uint32_t ones_sum(const uint8_t* data, size_t len, uint32_t sum = 0);
uint16_t fold(uint32_t sum);  // the complement of the folded sum
uint32_t pseudo_sum(const IpAddr& src, const IpAddr& dst, uint8_t proto, uint32_t len);

extern const MacAddr kV0Mac, kBackendMac4, kBackendMac6, kGatewayMac4, kGatewayMac6;

class TunnelTest : public DatapathTest {
 protected:
  void SetUp() override;
  void TearDown() override;

  // A service `svc` on VIP:80 (tcp) forwarded by `method` to `backend`, with
  // both source addresses set.
  void add_tunnel_service(const char* vip, const char* backend, Forward method, uint16_t port = 0);
  TestRunOutput run_on(const Bytes& frame, uint32_t ifindex) const;
  // The frame of a TCP packet from the client to the VIP (DF for IPv4, an
  // odd-sized payload, DSCP EF).
  Bytes client_frame(const char* vip, uint16_t sport, size_t payload = 37) const;

  std::optional<TestNetns> ns_;
};

}  // namespace xlb::test
