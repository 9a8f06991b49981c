#include "model/check.hpp"

#include <charconv>

#include "base/text.hpp"

namespace xlb {

std::optional<uint32_t> parse_duration_ms(std::string_view s) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end == s.data()) return std::nullopt;
  std::string_view unit(end, s.data() + s.size() - end);
  uint64_t scale = 0;
  if (unit == "ms") scale = 1;
  if (unit == "s") scale = 1000;
  if (unit == "m") scale = 60000;
  if (scale == 0 || v > kMaxCheckDurationMs / scale) return std::nullopt;
  uint64_t ms = v * scale;
  if (ms == 0) return std::nullopt;
  return static_cast<uint32_t>(ms);
}

std::string format_duration_ms(uint32_t ms) {
  if (ms % 60000 == 0) return std::to_string(ms / 60000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

bool check_has_path(CheckType t) { return t == CheckType::http || t == CheckType::https; }
bool check_has_host(CheckType t) { return check_has_path(t) || t == CheckType::dns; }

Proto check_proto(CheckType t) {
  return t == CheckType::dns || t == CheckType::udp ? Proto::udp : Proto::tcp;
}

uint16_t check_port(const Service& s, const Check& c) { return c.port ? c.port : s.port; }

namespace {

std::string where(const Service& s, const Check& c) {
  return to_string(c.type) + " check of service " + s.name;
}

Status validate_check_fields(const Service& s, const Check& c) {
  // A stored model may come from anywhere: hold it to what the grammar takes,
  // or `list ruleset` would print a check that does not read back.
  if (c.timeout_ms == 0 || c.interval_ms > kMaxCheckDurationMs)
    return usage_error(where(s, c) + ": interval and timeout must be 1ms..1h");
  if (c.timeout_ms >= c.interval_ms)
    return usage_error(where(s, c) + ": timeout " + format_duration_ms(c.timeout_ms) +
                       " must be shorter than interval " + format_duration_ms(c.interval_ms));
  if (c.rise < 1 || c.fall < 1 || c.rise > 100 || c.fall > 100)
    return usage_error(where(s, c) + ": rise and fall must be 1..100");
  if (c.path.empty() || c.path[0] != '/' || c.path.find_first_of(" \t\r\n") != std::string::npos)
    return usage_error(where(s, c) + ": path must start with / and hold no blanks");
  if (c.expect_lo < 100 || c.expect_hi > 599 || c.expect_lo > c.expect_hi)
    return usage_error(where(s, c) + ": expect must be LO-HI with 100 <= LO <= HI <= 599");
  if (c.host.find_first_of(" \t\r\n") != std::string::npos || c.host.size() > 253)
    return usage_error(where(s, c) + ": invalid host '" + c.host + "'");
  // Text only: JSON output and `list ruleset` must be able to show them.
  if (auto bad = text_problem(c.path)) return usage_error(where(s, c) + ": path: " + *bad);
  if (auto bad = text_problem(c.host)) return usage_error(where(s, c) + ": host: " + *bad);
  return {};
}

}  // namespace

Status validate_check(const Service& s, const Check& c) {
  if (check_proto(c.type) != s.proto)
    return usage_error(where(s, c) + ": a " + to_string(c.type) + " check needs a " +
                       to_string(check_proto(c.type)) + " service (the probe is sent as " +
                       to_string(check_proto(c.type)) + " to the VIP)");
  if (check_port(s, c) == 0)
    return usage_error(where(s, c) + ": the service has every port; give the check a port");
  if (c.type == CheckType::dns && c.host.empty())
    return usage_error(where(s, c) + ": a dns check needs `host NAME` (the name queried)");
  return validate_check_fields(s, c);
}

std::string check_words(const Check& c) {
  const Check d;
  std::string w = to_string(c.type);
  if (c.port) w += " port " + std::to_string(c.port);
  if (check_has_path(c.type) && c.path != d.path) w += " path " + ruleset_word(c.path);
  if (check_has_path(c.type) && (c.expect_lo != d.expect_lo || c.expect_hi != d.expect_hi))
    w += " expect " + std::to_string(c.expect_lo) + "-" + std::to_string(c.expect_hi);
  if (!c.host.empty()) w += " host " + ruleset_word(c.host);
  if (c.interval_ms != d.interval_ms) w += " interval " + format_duration_ms(c.interval_ms);
  if (c.timeout_ms != d.timeout_ms) w += " timeout " + format_duration_ms(c.timeout_ms);
  if (c.rise != d.rise) w += " rise " + std::to_string(c.rise);
  if (c.fall != d.fall) w += " fall " + std::to_string(c.fall);
  return w;
}

}  // namespace xlb
