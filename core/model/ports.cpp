#include "model/ports.hpp"

#include <algorithm>

#include "base/addr.hpp"

namespace xlb {

PortSet normalize_ports(PortSet set) {
  std::sort(set.begin(), set.end(),
            [](const PortRange& a, const PortRange& b) { return a.lo < b.lo; });
  PortSet out;
  for (const PortRange& r : set) {
    if (!out.empty() && uint32_t{r.lo} <= uint32_t{out.back().hi} + 1) {
      out.back().hi = std::max(out.back().hi, r.hi);
      continue;
    }
    out.push_back(r);
  }
  return out;
}

namespace {

std::optional<PortRange> parse_range(std::string_view item, std::string* why) {
  auto fail = [&](std::string msg) -> std::optional<PortRange> {
    if (why) *why = std::move(msg);
    return std::nullopt;
  };
  const size_t dash = item.find('-');
  const std::string_view lo_text = item.substr(0, dash);
  const auto lo = parse_uint(lo_text, 1, 65535);
  if (!lo) return fail("'" + std::string(lo_text) + "' is not a port (1 to 65535)");
  if (dash == std::string_view::npos) return PortRange{uint16_t(*lo), uint16_t(*lo)};
  const std::string_view hi_text = item.substr(dash + 1);
  const auto hi = parse_uint(hi_text, 1, 65535);
  if (!hi) return fail("'" + std::string(hi_text) + "' is not a port (1 to 65535)");
  if (*hi < *lo) return fail("range " + std::string(item) + " ends before it starts");
  return PortRange{uint16_t(*lo), uint16_t(*hi)};
}

}  // namespace

std::optional<PortSet> parse_ports(std::string_view text, std::string* why) {
  PortSet set;
  while (true) {
    const size_t comma = text.find(',');
    auto r = parse_range(text.substr(0, comma), why);
    if (!r) return std::nullopt;
    set.push_back(*r);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return normalize_ports(std::move(set));
}

std::string ports_str(const PortSet& set) {
  std::string out;
  for (const PortRange& r : set) {
    if (!out.empty()) out += ",";
    out += std::to_string(r.lo);
    if (r.hi != r.lo) out += "-" + std::to_string(r.hi);
  }
  return out;
}

uint32_t port_count(const PortSet& set) {
  uint32_t n = 0;
  for (const PortRange& r : set) n += r.count();
  return n;
}

std::optional<uint16_t> first_common_port(const PortSet& a, const PortSet& b) {
  for (const PortRange& x : a)
    for (const PortRange& y : b)
      if (x.lo <= y.hi && y.lo <= x.hi) return std::max(x.lo, y.lo);
  return std::nullopt;
}

}  // namespace xlb
