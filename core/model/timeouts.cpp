#include "model/timeouts.hpp"

#include <charconv>

namespace xlb {

namespace {

struct Unit {
  std::string_view name;
  uint32_t seconds;
};
constexpr Unit kUnits[] = {{"d", 86400}, {"h", 3600}, {"m", 60}, {"s", 1}};

}  // namespace

std::optional<uint32_t> parse_timeout(std::string_view s) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end == s.data()) return std::nullopt;
  std::string_view unit(end, s.data() + s.size() - end);
  uint64_t scale = unit.empty() ? 1 : 0;
  for (const Unit& u : kUnits)
    if (unit == u.name) scale = u.seconds;
  if (scale == 0 || v == 0 || v > kMaxFlowTimeout / scale) return std::nullopt;
  return static_cast<uint32_t>(v * scale);
}

std::string format_timeout(uint32_t seconds) {
  for (const Unit& u : kUnits)
    if (seconds % u.seconds == 0) return std::to_string(seconds / u.seconds) + std::string(u.name);
  return std::to_string(seconds) + "s";
}

}  // namespace xlb
