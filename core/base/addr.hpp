// Addresses as operators write them: IPv4, IPv6, MAC, and service endpoints
// such as 192.0.2.10:80 or [2001:db8::10]:53.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "xlb_abi.h"

namespace xlb {

struct IpAddr {
  int family = XLB_AF_INET;         // XLB_AF_INET or XLB_AF_INET6
  std::array<uint8_t, 16> bytes{};  // IPv4 in the first 4, the rest zero

  static std::optional<IpAddr> parse(std::string_view text);
  std::string str() const;
  bool is_v6() const { return family == XLB_AF_INET6; }
  xlb_addr to_abi() const;
  static IpAddr from_abi(const xlb_addr& a, int family);
  auto operator<=>(const IpAddr&) const = default;  // NOLINT(modernize-use-nullptr)
};

struct MacAddr {
  std::array<uint8_t, 6> bytes{};

  static std::optional<MacAddr> parse(std::string_view text);
  std::string str() const;
  bool is_zero() const;
  auto operator<=>(const MacAddr&) const = default;  // NOLINT(modernize-use-nullptr)
};

// ADDR/LEN, for NAT ranges and filters. The address is stored masked.
struct IpPrefix {
  IpAddr addr;
  uint8_t len = 0;

  static std::optional<IpPrefix> parse(std::string_view text);
  // The address alone: /32 or /128.
  static IpPrefix host(const IpAddr& a) { return {a, uint8_t(a.is_v6() ? 128 : 32)}; }
  bool is_host() const { return len == (addr.is_v6() ? 128 : 32); }
  std::string str() const;
  // "192.0.2.10" for a host, "192.0.2.20/30" otherwise.
  std::string brief() const { return is_host() ? addr.str() : str(); }
  bool contains(const IpAddr& a) const;
  bool operator==(const IpPrefix&) const = default;
  bool operator<(const IpPrefix& o) const {
    return addr < o.addr || (addr == o.addr && len < o.len);
  }
};

// VIP[:PORT] with IPv6 in brackets when a port follows. Port 0 when absent.
struct Endpoint {
  IpAddr addr;
  uint16_t port = 0;

  static std::optional<Endpoint> parse(std::string_view text);
  std::string str() const;      // omits ":0"; IPv6 in brackets
  std::string display() const;  // for tables: ":*" marks every port
};

// Parse a decimal integer in [lo, hi]; nullopt for anything else.
std::optional<uint64_t> parse_uint(std::string_view text, uint64_t lo, uint64_t hi);

}  // namespace xlb
