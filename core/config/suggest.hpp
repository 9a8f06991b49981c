// "Did you mean": the nearest of a few known words to a mistyped one.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace xlb {

// The one of `choices` within a small edit distance of `word` (or that
// `word` misses only a letter of), or "" when none is close or two are
// equally close.
std::string nearest_word(std::string_view word, std::span<const char* const> choices);

// " (did you mean 'WORD'?)" for nearest_word, or "".
std::string did_you_mean(std::string_view word, std::span<const char* const> choices);

}  // namespace xlb
