// Flow idle timeouts as operators write them (xlb set timeout): whole
// seconds, with an optional unit.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace xlb {

constexpr uint32_t kMaxFlowTimeout = 7 * 86400;  // a week

// "900", "900s", "15m", "2h", "1d" -> seconds; 1s .. kMaxFlowTimeout.
std::optional<uint32_t> parse_timeout(std::string_view s);
// The shortest exact spelling: 900 -> "15m", 10 -> "10s", 90 -> "90s".
std::string format_timeout(uint32_t seconds);

}  // namespace xlb
