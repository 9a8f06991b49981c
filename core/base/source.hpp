// Positions in ruleset sources and the nft-style rendering of errors found
// there:
//
//   web.conf:3:22: error: undefined variable '$VIP'
//   service add web tcp $VIP:80
//                       ^~~~
//
// Columns count bytes, as the lexer sees them; render_error turns them into
// screen columns (tabs kept, UTF-8 sequences counted once) so carets align.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace xlb {

// The name of a source, shared by every position in it: a ruleset of
// 11,000 statements has some 70,000 tokens, and a copy of a path longer
// than 15 bytes is a heap allocation (and, fresh, page faults) per token.
class SourceName {
 public:
  SourceName() = default;
  SourceName(std::string name)  // NOLINT(google-explicit-constructor): a path is a name
      : name_(std::make_shared<const std::string>(std::move(name))) {}
  SourceName(const char* name)
      : SourceName(std::string(name)) {}  // NOLINT(google-explicit-constructor)
  const std::string& str() const;
  operator const std::string&() const { return str(); }  // NOLINT(google-explicit-constructor)
  friend bool operator==(const SourceName& a, std::string_view b) { return a.str() == b; }

 private:
  std::shared_ptr<const std::string> name_;
};

// 1-based line and column. line 0 means "no position inside the source" (a
// file that cannot be opened). file is the path as given: "-" for stdin,
// "<cmdline>" for words from the command line.
struct SourcePos {
  SourceName file;
  int line = 0;
  int col = 0;
};

// A word of a statement. length counts the source bytes it covers (quotes
// included), so errors can underline it; a word produced by a variable keeps
// the position and length of the `$NAME` that produced it.
struct Token {
  std::string text;
  SourcePos pos;
  int length = 0;
  bool quoted = false;
};

struct SourceError {
  SourcePos pos;
  int length = 1;
  std::string message;
  std::string line_text;  // the source line pos.line points into, without newline
};

// How a file name is shown to the operator: "<stdin>" for "-".
std::string display_name(const std::string& file);

// "FILE:LINE:COL", "FILE" when there is no line, "" when there is no file.
std::string format_pos(const SourcePos& pos);

// "FILE:LINE:COL: error: message\n" then, when there is a line, the source
// line and a caret line under the offending bytes. Every line ends in '\n'.
std::string render_error(const SourceError& e);

// The one-line form, "FILE:LINE:COL: message", as a usage Error: for output
// that has no room for carets (JSON) and for callers that only log.
Error to_error(const SourceError& e);

}  // namespace xlb
