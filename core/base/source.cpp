#include "base/source.hpp"

#include <algorithm>

namespace xlb {

namespace {

// Bytes 0x80..0xbf continue a UTF-8 sequence and take no screen column.
bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xc0) == 0x80; }

// Control characters would move the terminal's cursor and break alignment.
std::string printable_line(const std::string& line) {
  std::string out = line;
  for (char& c : out)
    if (c != '\t' && static_cast<unsigned char>(c) < 0x20) c = ' ';
  return out;
}

std::string caret_line(const std::string& line, int col, int length) {
  // At most just past the end of the line, where a missing word would go.
  const size_t start = std::min(static_cast<size_t>(std::max(col, 1) - 1), line.size());
  std::string out;
  for (size_t i = 0; i < start; i++) {
    if (line[i] == '\t')
      out += '\t';  // the terminal expands it exactly as it did in the line above
    else if (!is_continuation(line[i]))
      out += ' ';
  }
  out += '^';
  const size_t end = std::min(start + static_cast<size_t>(std::max(length, 1)), line.size());
  for (size_t i = start + 1; i < end; i++)
    if (!is_continuation(line[i])) out += '~';
  return out;
}

}  // namespace

const std::string& SourceName::str() const {
  static const std::string kNone;
  return name_ ? *name_ : kNone;
}

std::string display_name(const std::string& file) { return file == "-" ? "<stdin>" : file; }

std::string format_pos(const SourcePos& pos) {
  std::string out = display_name(pos.file);
  if (pos.line <= 0) return out;
  return out + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.col);
}

std::string render_error(const SourceError& e) {
  std::string where = format_pos(e.pos);
  std::string out = (where.empty() ? "" : where + ": ") + "error: " + e.message + "\n";
  if (e.pos.line <= 0) return out;
  std::string line = printable_line(e.line_text);
  return out + line + "\n" + caret_line(line, e.pos.col, e.length) + "\n";
}

Error to_error(const SourceError& e) {
  std::string where = format_pos(e.pos);
  return usage_error(where.empty() ? e.message : where + ": " + e.message);
}

}  // namespace xlb
