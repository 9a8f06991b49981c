// Operator strings (check paths and hosts, service names) are UTF-8 text
// without control characters: anything else is refused where it enters, so
// JSON output cannot fail on it and `list ruleset` can print it back.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace xlb {

// Length of the valid UTF-8 sequence starting at s[i] (1 for ASCII), 0 when
// the bytes there are not one (overlong forms and surrogates included).
size_t utf8_length(std::string_view s, size_t i);

bool is_valid_utf8(std::string_view s);

// What makes s unusable as text, or nothing: "invalid UTF-8", "NUL byte",
// "control character 0x1b". Tabs count as control characters here.
std::optional<std::string> text_problem(std::string_view s);

// s as one word of the ruleset grammar: bare when that reads back the same,
// otherwise "double quoted" with \" and \\ (so `;`, `#`, `$`, blanks and
// quotes survive `list ruleset | xlb -f -`). s must pass text_problem.
std::string ruleset_word(std::string_view s);

}  // namespace xlb
