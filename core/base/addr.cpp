#include "base/addr.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstdio>
#include <cstring>

namespace xlb {

std::optional<IpAddr> IpAddr::parse(std::string_view text) {
  // inet_pton stops at a NUL: "1.2.3.4\0junk" must not pass for 1.2.3.4.
  if (text.find('\0') != std::string_view::npos) return std::nullopt;
  std::string s(text);
  IpAddr a;
  if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) {
    a.family = XLB_AF_INET;
    return a;
  }
  if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) {
    a.family = XLB_AF_INET6;
    return a;
  }
  return std::nullopt;
}

std::string IpAddr::str() const {
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(is_v6() ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof(buf));
  return buf;
}

xlb_addr IpAddr::to_abi() const {
  xlb_addr a{};
  std::memcpy(a.b, bytes.data(), is_v6() ? 16 : 4);
  return a;
}

IpAddr IpAddr::from_abi(const xlb_addr& a, int family) {
  IpAddr r;
  r.family = family;
  std::memcpy(r.bytes.data(), a.b, family == XLB_AF_INET6 ? 16 : 4);
  return r;
}

std::optional<MacAddr> MacAddr::parse(std::string_view text) {
  MacAddr m;
  if (text.size() != 17) return std::nullopt;
  for (size_t i = 0; i < 6; i++) {
    std::string_view byte = text.substr(i * 3, 2);
    if (i < 5 && text[i * 3 + 2] != ':') return std::nullopt;
    auto [p, ec] = std::from_chars(byte.data(), byte.data() + 2, m.bytes[i], 16);
    if (ec != std::errc() || p != byte.data() + 2) return std::nullopt;
  }
  return m;
}

std::string MacAddr::str() const {
  char buf[18];
  std::snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x", bytes[0], bytes[1], bytes[2],
                bytes[3], bytes[4], bytes[5]);
  return buf;
}

bool MacAddr::is_zero() const { return *this == MacAddr{}; }

std::optional<uint64_t> parse_uint(std::string_view text, uint64_t lo, uint64_t hi) {
  uint64_t v = 0;
  if (text.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v, 10);
  if (ec != std::errc() || p != text.data() + text.size()) return std::nullopt;
  if (v < lo || v > hi) return std::nullopt;
  return v;
}

std::optional<Endpoint> Endpoint::parse(std::string_view text) {
  Endpoint ep;
  std::string_view host = text, port;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port = rest.substr(1);
      if (port.empty()) return std::nullopt;
    }
    auto a = IpAddr::parse(host);
    if (!a || !a->is_v6()) return std::nullopt;
    ep.addr = *a;
  } else {
    size_t colon = text.find(':');
    if (colon != std::string_view::npos && text.find(':', colon + 1) == std::string_view::npos) {
      host = text.substr(0, colon);
      port = text.substr(colon + 1);
      if (port.empty()) return std::nullopt;
    }
    auto a = IpAddr::parse(host);
    // A bare IPv6 address is ambiguous (is 2001:db8::11:80 port 80?):
    // an IPv6 VIP takes brackets, [2001:db8::11]:80 or [2001:db8::11:80].
    if (!a || a->is_v6()) return std::nullopt;
    ep.addr = *a;
  }
  if (port == "*") return ep;  // all ports, as the listings show them
  if (!port.empty()) {
    auto p = parse_uint(port, 0, 65535);
    if (!p) return std::nullopt;
    ep.port = static_cast<uint16_t>(*p);
  }
  return ep;
}

std::string Endpoint::str() const {
  std::string a = addr.is_v6() ? "[" + addr.str() + "]" : addr.str();
  if (port == 0) return a;
  return a + ":" + std::to_string(port);
}

std::string Endpoint::display() const { return port == 0 ? str() + ":*" : str(); }

static bool prefix_bit(const IpAddr& a, unsigned i) { return a.bytes[i / 8] & (0x80 >> (i % 8)); }

std::optional<IpPrefix> IpPrefix::parse(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto addr = IpAddr::parse(text.substr(0, slash));
  if (!addr) return std::nullopt;
  auto len = parse_uint(text.substr(slash + 1), 0, addr->is_v6() ? 128 : 32);
  if (!len) return std::nullopt;
  IpPrefix p{*addr, static_cast<uint8_t>(*len)};
  for (unsigned i = p.len; i < 128; i++)
    if (prefix_bit(p.addr, i)) p.addr.bytes[i / 8] &= static_cast<uint8_t>(~(0x80 >> (i % 8)));
  return p;
}

std::string IpPrefix::str() const { return addr.str() + "/" + std::to_string(len); }

bool IpPrefix::contains(const IpAddr& a) const {
  if (a.family != addr.family) return false;
  for (unsigned i = 0; i < len; i++)
    if (prefix_bit(a, i) != prefix_bit(addr, i)) return false;
  return true;
}

}  // namespace xlb
