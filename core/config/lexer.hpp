// The lexer of ruleset files (`xlb -f FILE`) and of command lines: source
// text in, statements of words out, each word with its position.
//
// It handles everything that is not the command grammar itself, nft-style:
//   - words separated by blanks; "double quoted" strings with \" and \\;
//   - `#` comments (at the start of a word, outside strings);
//   - a newline or `;` ends a statement; `\` at the end of a line continues it;
//   - `define NAME = VALUE...`, `redefine`, `undefine`, and `$NAME` uses
//     (a whole word expands to the value's words; inside a word, a one-word
//     value is spliced in, so `$VIP:80` works);
//   - `include "FILE"`, relative to the including file, globs allowed.
// define/redefine/undefine/include statements are consumed; what is left is
// commands for the parser.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "base/source.hpp"

namespace xlb {

inline constexpr int kMaxIncludeDepth = 16;
// Variables that expand to variables could grow without bound; these cap one
// statement after expansion.
inline constexpr size_t kMaxStatementWords = 10000;
inline constexpr size_t kMaxWordBytes = 65536;

// The text of one source (a file, a command line) and where its lines start.
// Its statements share it: a line of 20,000 `;`-separated statements is kept
// once, not once per statement.
struct SourceText {
  std::string text;
  std::vector<size_t> line_starts;  // offset of each line's first byte

  explicit SourceText(std::string t);
  int line_count() const { return static_cast<int>(line_starts.size()); }
  // Line n (1-based) without its newline or a '\r' before it; "" out of range.
  std::string_view line(int n) const;
};

struct Statement {
  std::vector<Token> tokens;
  // The source lines the statement spans (more than one after `\`), in
  // tokens[0].pos.file. They let the parser report an error under any of its
  // tokens.
  int first_line = 0;
  int last_line = 0;
  std::shared_ptr<const SourceText> source;

  // Source line n when the statement spans it, "" otherwise.
  std::string_view line(int n) const;

  // An error underlining t, a token of this statement.
  SourceError error_at(const Token& t, std::string message) const;
  // An error just after the last token: for a missing argument.
  SourceError error_at_end(std::string message) const;
};

// Lex a file; path "-" reads stdin. On failure returns a usage Error (its
// message is the one-line form) and, when err is not null, fills *err for
// render_error.
Result<std::vector<Statement>> lex_file(const std::string& path, SourceError* err);

// Lex text that is not a file (a command line, a shell line): name is what
// positions show, and includes are relative to its directory (the current one
// for names such as "<cmdline>").
Result<std::vector<Statement>> lex_text(std::string_view text, const std::string& name,
                                        SourceError* err);

// Lexes one text after another with the same variables, so a `define` on
// one line of the interactive shell is known on the next.
class LexSession {
 public:
  LexSession();
  ~LexSession();
  LexSession(const LexSession&) = delete;
  LexSession& operator=(const LexSession&) = delete;

  Result<std::vector<Statement>> lex(std::string_view text, const std::string& name,
                                     SourceError* err);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace xlb
