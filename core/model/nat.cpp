#include "model/nat.hpp"

namespace xlb {

namespace {

// The offset of an address inside a prefix, for offsets below 2^32.
std::optional<uint64_t> offset_in(const IpPrefix& p, const IpAddr& a) {
  if (a.family != p.addr.family || !p.contains(a)) return std::nullopt;
  int bytes = a.is_v6() ? 16 : 4;
  uint64_t off = 0;
  for (int i = 0; i < bytes; i++) {
    if (i < bytes - 4 && a.bytes[i] != p.addr.bytes[i]) return std::nullopt;
    if (i >= bytes - 4) off = (off << 8) | uint8_t(a.bytes[i] ^ p.addr.bytes[i]);
  }
  return off;
}

uint64_t range_size(const IpPrefix& p) {
  int host_bits = (p.addr.is_v6() ? 128 : 32) - p.len;
  return host_bits >= 32 ? (uint64_t(1) << 32) : (uint64_t(1) << host_bits);
}

}  // namespace

IpPrefix nat_range(const Settings& s, int family) {
  // Parsed once: a commit asks for every backend's NAT address.
  static const IpPrefix kDefault4 = *IpPrefix::parse(kDefaultNat4);
  static const IpPrefix kDefault6 = *IpPrefix::parse(kDefaultNat6);
  const auto& set = family == XLB_AF_INET6 ? s.nat6 : s.nat4;
  if (set) return *set;
  return family == XLB_AF_INET6 ? kDefault6 : kDefault4;
}

std::optional<IpAddr> nat_address(const Settings& s, const Service& svc, const Backend& be) {
  if (be.id == XLB_NO_BACKEND) return std::nullopt;
  IpPrefix range = nat_range(s, svc.vip.family);
  uint64_t off = uint64_t(be.id) + 1;
  if (off >= range_size(range) - 1) return std::nullopt;  // keep the last address free
  IpAddr a = range.addr;
  int last = a.is_v6() ? 15 : 3;
  for (int i = 0; i < 4; i++) a.bytes[last - i] |= uint8_t(off >> (8 * i));
  return a;
}

IpAddr nat_host_address(const Settings& s, int family) {
  IpPrefix range = nat_range(s, family);
  uint64_t off = range_size(range) - 1;
  IpAddr a = range.addr;
  int last = a.is_v6() ? 15 : 3;
  for (int i = 0; i < 4; i++) a.bytes[last - i] |= uint8_t(off >> (8 * i));
  return a;
}

namespace {

Status outside(const IpPrefix& r, const IpAddr& a, const std::string& what, const Service& s) {
  if (!r.contains(a)) return {};
  return usage_error("NAT range " + r.str() + " contains " + what + " " + a.str() + " of service " +
                     s.name + " (choose another with `set " + (a.is_v6() ? "nat6" : "nat4") + "`)");
}

bool overlap(const IpPrefix& a, const IpPrefix& b) {
  return a.addr.family == b.addr.family && (a.contains(b.addr) || b.contains(a.addr));
}

// Addresses the kernel refuses as a host address or a route's source, or
// that are not unicast: a NAT range must stay clear of them.
Status routable(const IpPrefix& r) {
  static const char* const kSpecial[] = {"0.0.0.0/8", "127.0.0.0/8", "224.0.0.0/3",
                                         "::/8",      "fe80::/10",   "ff00::/8"};
  for (const char* special : kSpecial) {
    IpPrefix p = *IpPrefix::parse(special);
    if (overlap(r, p))
      return usage_error("NAT range " + r.str() + " overlaps " + p.str() +
                         ", which is not for unicast host addresses (choose another with `set " +
                         (r.addr.is_v6() ? "nat6" : "nat4") + "`)");
  }
  return {};
}

}  // namespace

Status validate_nat_ranges(const Config& c) {
  if (c.settings.nat4) XLB_TRY(routable(*c.settings.nat4));
  if (c.settings.nat6) XLB_TRY(routable(*c.settings.nat6));
  for (const auto& s : c.services) {
    XLB_TRY(outside(nat_range(c.settings, s.vip.family), s.vip, "VIP", s));
    for (const auto& b : s.backends)
      XLB_TRY(outside(nat_range(c.settings, b.addr.family), b.addr, "backend", s));
  }
  return {};
}

std::optional<uint32_t> nat_backend_id(const Settings& s, const IpAddr& nat) {
  auto off = offset_in(nat_range(s, nat.family), nat);
  if (!off || *off == 0) return std::nullopt;
  return uint32_t(*off - 1);
}

}  // namespace xlb
