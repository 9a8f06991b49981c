// Health-check specifications (xlb check add): durations, validation and
// the words that describe a check, shared by the grammar, the ruleset
// printer, `check list` and xlb-healthd's log lines.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "model/model.hpp"

namespace xlb {

// Durations as operators write them: 500ms, 2s, 1m (a unit is required).
// Range: 1ms .. 1h.
// The longest check interval or timeout the grammar takes (1h).
inline constexpr uint32_t kMaxCheckDurationMs = 3600000;

std::optional<uint32_t> parse_duration_ms(std::string_view s);
// The shortest exact spelling: 60000 -> "1m", 2000 -> "2s", 1500 -> "1500ms".
std::string format_duration_ms(uint32_t ms);

// Which options make sense for a check type.
bool check_has_path(CheckType t);  // http, https: path, expect
bool check_has_host(CheckType t);  // http, https (Host, SNI), dns (name)
// tcp, http, https probe TCP services; dns and udp probe UDP services.
Proto check_proto(CheckType t);

// The port a check probes: its own, else the service's.
uint16_t check_port(const Service& s, const Check& c);

// The invariants of one check of a service: timeout < interval, port set
// when the service has every port, protocol of the service, path, range.
Status validate_check(const Service& s, const Check& c);

// "http port 8080 path /healthz expect 200-299 interval 5s": the check's
// options, defaults left out (the ruleset form after `check add SERVICE`).
std::string check_words(const Check& c);

}  // namespace xlb
