// A service's ports (service add web tcp 192.0.2.10:80,443,8000-8099):
// single ports and ranges, kept sorted and merged so that two spellings of
// one set compare equal and print the same.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace xlb {

// Ports lo to hi, both included (lo == hi: one port).
struct PortRange {
  uint16_t lo = 0;
  uint16_t hi = 0;
  uint32_t count() const { return uint32_t{hi} - lo + 1u; }
  bool contains(uint16_t p) const { return lo <= p && p <= hi; }
  bool operator==(const PortRange&) const = default;
};

using PortSet = std::vector<PortRange>;

// Sorts and merges overlapping and adjacent ranges (80,81 -> 80-81).
PortSet normalize_ports(PortSet set);
// "80,443,8000-8099": ports 1 to 65535, ranges LO-HI with LO <= HI. nullopt
// for anything else; `why` then says what is wrong when given.
std::optional<PortSet> parse_ports(std::string_view text, std::string* why = nullptr);
// The set as parse_ports reads it back: "80,443,8000-8099".
std::string ports_str(const PortSet& set);
// How many ports the set holds.
uint32_t port_count(const PortSet& set);
// Whether two sets share a port; the first one shared, if any.
std::optional<uint16_t> first_common_port(const PortSet& a, const PortSet& b);

}  // namespace xlb
