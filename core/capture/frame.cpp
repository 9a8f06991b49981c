#include "capture/frame.hpp"

#include <cstring>

namespace xlb::capture {

namespace {

constexpr uint16_t kEthIpv4 = 0x0800, kEthIpv6 = 0x86DD, kEthVlan = 0x8100;
constexpr uint8_t kTcp = 6, kUdp = 17, kIcmp = 1, kIcmp6 = 58;

uint16_t be16(std::span<const uint8_t> f, size_t off) {
  return static_cast<uint16_t>(f[off] << 8 | f[off + 1]);
}

IpAddr addr_at(std::span<const uint8_t> f, size_t off, int family) {
  IpAddr a;
  a.family = family;
  std::memcpy(a.bytes.data(), &f[off], family == XLB_AF_INET ? 4 : 16);
  return a;
}

// The L3 header at `off`: addresses, protocol, and where L4 starts.
std::optional<size_t> read_l3(std::span<const uint8_t> f, size_t off, uint16_t type,
                              FrameSummary& s) {
  if (type == kEthIpv4) {
    if (f.size() < off + 20) return std::nullopt;
    s.proto = f[off + 9];
    s.src.addr = addr_at(f, off + 12, XLB_AF_INET);
    s.dst.addr = addr_at(f, off + 16, XLB_AF_INET);
    return off + size_t{4} * (f[off] & 0x0fU);
  }
  if (type == kEthIpv6) {
    if (f.size() < off + 40) return std::nullopt;
    s.proto = f[off + 6];  // extension headers are not followed
    s.src.addr = addr_at(f, off + 8, XLB_AF_INET6);
    s.dst.addr = addr_at(f, off + 24, XLB_AF_INET6);
    return off + 40;
  }
  return std::nullopt;
}

const char* proto_name(uint8_t p) {
  switch (p) {
    case kTcp:
      return "tcp";
    case kUdp:
      return "udp";
    case kIcmp:
      return "icmp";
    case kIcmp6:
      return "icmp6";
    default:
      return nullptr;
  }
}

}  // namespace

std::optional<FrameSummary> summarize(std::span<const uint8_t> f) {
  if (f.size() < 14) return std::nullopt;
  FrameSummary s;
  size_t off = 14;
  uint16_t type = be16(f, 12);
  if (type == kEthVlan) {
    if (f.size() < 18) return std::nullopt;
    s.vlan = be16(f, 14) & 0x0fff;
    type = be16(f, 16);
    off = 18;
  }
  auto l4 = read_l3(f, off, type, s);
  if (!l4) return std::nullopt;
  if ((s.proto == kTcp || s.proto == kUdp) && f.size() >= *l4 + 4) {
    s.src.port = be16(f, *l4);
    s.dst.port = be16(f, *l4 + 2);
  }
  return s;
}

std::string FrameSummary::str() const {
  const char* name = proto_name(proto);
  std::string p = name ? name : "proto " + std::to_string(proto);
  std::string out = p + " " + src.str() + " > " + dst.str();
  if (vlan) out += " vlan " + std::to_string(*vlan);
  return out;
}

}  // namespace xlb::capture
