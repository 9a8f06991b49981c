#include "base/text.hpp"

#include <cstdint>
#include <cstdio>

namespace xlb {

namespace {

struct Utf8Lead {
  size_t length;
  uint32_t bits;  // the code point bits the lead byte carries
  uint32_t min;   // below this the sequence is overlong
};

std::optional<Utf8Lead> utf8_lead(unsigned char c) {
  if ((c & 0xe0) == 0xc0) return Utf8Lead{2, c & 0x1fu, 0x80};
  if ((c & 0xf0) == 0xe0) return Utf8Lead{3, c & 0x0fu, 0x800};
  if ((c & 0xf8) == 0xf0) return Utf8Lead{4, c & 0x07u, 0x10000};
  return std::nullopt;
}

// Bytes a bare word may hold: none of them means anything to the lexer
// (blanks, `;`, `#`, `$`, `"`, `\` and `=` do; so may bytes above 0x7f to a
// reader's terminal, so those are quoted too).
bool is_bare_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  for (char ok : std::string_view("-_./:@%+,~*?!&()[]{}^|<>'"))
    if (c == ok) return true;
  return false;
}

}  // namespace

size_t utf8_length(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  const auto lead = utf8_lead(c);
  if (!lead || i + lead->length > s.size()) return 0;
  uint32_t cp = lead->bits;
  for (size_t k = 1; k < lead->length; k++) {
    const auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3f);
  }
  const bool surrogate = cp >= 0xd800 && cp <= 0xdfff;
  return cp < lead->min || cp > 0x10ffff || surrogate ? 0 : lead->length;
}

bool is_valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t n = utf8_length(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::optional<std::string> text_problem(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == 0) return "NUL byte";
    if (c < 0x20 || c == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof(hex), "0x%02x", c);
      return std::string("control character ") + hex;
    }
    const size_t n = utf8_length(s, i);
    if (n == 0) return "invalid UTF-8";
    i += n;
  }
  return std::nullopt;
}

std::string ruleset_word(std::string_view s) {
  bool bare = !s.empty();
  for (char c : s) bare = bare && is_bare_char(c);
  if (bare) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace xlb
