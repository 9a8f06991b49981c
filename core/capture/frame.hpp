// What `xlb capture` reads back out of a captured frame's head: the
// addresses, protocol and ports (through one 802.1Q tag), for its text
// lines, its filters and the flow lookup that names the backend.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "base/addr.hpp"

namespace xlb::capture {

struct FrameSummary {
  uint8_t proto = 0;  // IPPROTO_*
  Endpoint src, dst;  // ports 0 for other protocols
  std::optional<uint16_t> vlan;
  std::string str() const;  // "tcp 203.0.113.7:40000 > 192.0.2.10:80"
};

// nullopt: not IPv4 or IPv6, or too short to say.
std::optional<FrameSummary> summarize(std::span<const uint8_t> frame);

}  // namespace xlb::capture
