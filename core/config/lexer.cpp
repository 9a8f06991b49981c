#include "config/lexer.hpp"

#include <glob.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <utility>

#include "base/file.hpp"
#include "base/text.hpp"

namespace xlb {

SourceText::SourceText(std::string t) : text(std::move(t)) {
  line_starts.push_back(0);
  for (size_t i = 0; i < text.size(); i++)
    if (text[i] == '\n') line_starts.push_back(i + 1);
}

std::string_view SourceText::line(int n) const {
  if (n < 1 || n > line_count()) return {};
  const size_t start = line_starts[n - 1];
  const size_t end = n < line_count() ? line_starts[n] - 1 : text.size();
  std::string_view out(text.data() + start, end - start);
  if (!out.empty() && out.back() == '\r') out.remove_suffix(1);
  return out;
}

std::string_view Statement::line(int n) const {
  if (!source || n < first_line || n > last_line) return {};
  return source->line(n);
}

SourceError Statement::error_at(const Token& t, std::string message) const {
  return SourceError{t.pos, std::max(t.length, 1), std::move(message),
                     std::string(line(t.pos.line))};
}

SourceError Statement::error_at_end(std::string message) const {
  if (tokens.empty()) return SourceError{{}, 1, std::move(message), ""};
  Token after = tokens.back();
  after.pos.col += after.length;
  after.length = 1;
  return error_at(after, std::move(message));
}

namespace {

Error report(SourceError* err, SourceError e) {
  Error out = to_error(e);
  if (err) *err = std::move(e);
  return out;
}

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

// ASCII only, whatever the locale: names must mean the same everywhere.
bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

// Length of the variable name starting at s[i], 0 when there is none.
size_t name_length(std::string_view s, size_t i) {
  if (i >= s.size() || !is_name_start(s[i])) return 0;
  size_t n = 1;
  while (i + n < s.size() && is_name_char(s[i + n])) n++;
  return n;
}

bool is_name(std::string_view s) { return !s.empty() && name_length(s, 0) == s.size(); }

// The part of a bare token at [offset, offset + len): bare tokens are their
// source bytes, so the position is exact.
Token sub_token(const Token& t, size_t offset, size_t len) {
  Token out{t.text.substr(offset, len), t.pos, static_cast<int>(len), false};
  out.pos.col += static_cast<int>(offset);
  return out;
}

// ---------------------------------------------------------------------------
// Binary data: a ruleset is UTF-8 text. Refusing anything else early gives one
// clear error instead of a cascade of odd ones from the parser.

bool is_text_control(unsigned char c) { return c == '\t' || c == '\n' || is_blank(c); }

// What is wrong at s[i], or nothing.
std::optional<std::string> binary_at(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c == 0) return "NUL byte";
  if (c < 0x20 && !is_text_control(c)) {
    char hex[8];
    std::snprintf(hex, sizeof(hex), "0x%02x", c);
    return std::string("control character ") + hex;
  }
  if (utf8_length(s, i) == 0) return "invalid UTF-8";
  return std::nullopt;
}

// The line, with every byte binary_at objects to shown as '?'.
std::string printable(std::string_view line) {
  std::string out;
  for (size_t i = 0; i < line.size();) {
    if (binary_at(line, i)) {
      out += '?';
      i++;
    } else {
      const size_t n = utf8_length(line, i);
      out += line.substr(i, n);
      i += n;
    }
  }
  return out;
}

std::optional<SourceError> find_binary_data(std::string_view text, const std::string& file) {
  int line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < text.size(); i += std::max<size_t>(utf8_length(text, i), 1)) {
    if (auto what = binary_at(text, i)) {
      const size_t end = std::min(text.find('\n', i), text.size());
      SourcePos pos{file, line, static_cast<int>(i - line_start) + 1};
      return SourceError{pos, 1, "binary data: " + *what,
                         printable(text.substr(line_start, end - line_start))};
    }
    if (text[i] == '\n') {
      line++;
      line_start = i + 1;
    }
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------
// Scanner: text -> statements of raw tokens (no variables, no includes yet).

class Scanner {
 public:
  Scanner(std::shared_ptr<const SourceText> source, std::string file, SourceError* err)
      : source_(std::move(source)), text_(source_->text), file_(std::move(file)), err_(err) {}

  Result<std::vector<Statement>> scan() {
    while (i_ < text_.size()) XLB_TRY(step());
    end_statement();
    return std::move(out_);
  }

 private:
  Status step();
  Status scan_word();
  Status scan_string();
  Status skip_continuation();
  bool continuation_at(size_t i) const;
  bool ends_word(size_t i) const;
  void push_token(std::string text, size_t start, bool quoted);
  void end_statement();
  void next_line();
  SourcePos pos_at(size_t offset) const;
  Error fail(size_t offset, size_t length, std::string message) const;

  std::shared_ptr<const SourceText> source_;
  std::string_view text_;
  SourceName file_;  // shared by the positions of its tokens
  SourceError* err_;
  size_t i_ = 0;
  int line_ = 1;
  size_t line_start_ = 0;
  Statement current_;
  std::vector<Statement> out_;
};

Status Scanner::step() {
  const char c = text_[i_];
  if (c == '\n') {
    end_statement();
    next_line();
  } else if (c == ';') {
    end_statement();
    i_++;
  } else if (is_blank(c)) {
    i_++;
  } else if (c == '#') {
    while (i_ < text_.size() && text_[i_] != '\n') i_++;
  } else if (c == '\\' && continuation_at(i_)) {
    return skip_continuation();
  } else if (c == '"') {
    return scan_string();
  } else {
    return scan_word();
  }
  return {};
}

// `\` followed only by blanks up to the end of the line.
bool Scanner::continuation_at(size_t i) const {
  if (text_[i] != '\\') return false;
  size_t j = i + 1;
  while (j < text_.size() && is_blank(text_[j])) j++;
  return j == text_.size() || text_[j] == '\n';
}

Status Scanner::skip_continuation() {
  size_t newline = i_ + 1;
  while (newline < text_.size() && text_[newline] != '\n') newline++;
  // Nothing after it to continue into: the file was cut short.
  if (newline + 1 >= text_.size()) return fail(i_, 1, "line continuation '\\' at end of file");
  i_ = newline;
  next_line();
  return {};
}

bool Scanner::ends_word(size_t i) const {
  if (i >= text_.size()) return true;
  const char c = text_[i];
  return is_blank(c) || c == '\n' || c == ';' || continuation_at(i);
}

Status Scanner::scan_word() {
  const size_t start = i_;
  while (!ends_word(i_) && text_[i_] != '"') i_++;
  if (!ends_word(i_)) return fail(i_, 1, "missing blank before string");
  push_token(std::string(text_.substr(start, i_ - start)), start, false);
  return {};
}

Status Scanner::scan_string() {
  const size_t start = i_++;
  std::string value;
  while (true) {
    if (i_ >= text_.size() || text_[i_] == '\n')
      return fail(start, i_ - start, "unterminated string");
    const char c = text_[i_++];
    if (c == '"') break;
    if (c == '\\' && i_ < text_.size() && (text_[i_] == '"' || text_[i_] == '\\'))
      value += text_[i_++];
    else
      value += c;
  }
  if (!ends_word(i_)) return fail(i_, 1, "missing blank after string");
  push_token(std::move(value), start, true);
  return {};
}

void Scanner::push_token(std::string text, size_t start, bool quoted) {
  // Most statements (`backend add S ADDR mac MAC`) have up to 6 words: one allocation.
  if (current_.tokens.empty()) current_.tokens.reserve(6);
  current_.tokens.push_back(
      Token{std::move(text), pos_at(start), static_cast<int>(i_ - start), quoted});
}

void Scanner::end_statement() {
  if (current_.tokens.empty()) return;
  current_.first_line = current_.tokens.front().pos.line;
  current_.last_line = current_.tokens.back().pos.line;
  current_.source = source_;
  out_.push_back(std::move(current_));
  current_ = Statement{};
}

void Scanner::next_line() {
  i_++;
  line_++;
  line_start_ = i_;
}

SourcePos Scanner::pos_at(size_t offset) const {
  return SourcePos{file_, line_, static_cast<int>(offset - line_start_) + 1};
}

Error Scanner::fail(size_t offset, size_t length, std::string message) const {
  SourceError e{pos_at(offset), static_cast<int>(std::max<size_t>(length, 1)), std::move(message),
                std::string(source_->line(line_))};
  return report(err_, std::move(e));
}

// ---------------------------------------------------------------------------
// Files.

Result<std::string> read_file(const std::string& path) { return read_input_file(path); }

std::optional<std::string> real_path(const std::string& path) {
  char* real = realpath(path.c_str(), nullptr);
  if (!real) return std::nullopt;
  std::string out(real);
  std::free(real);
  return out;
}

// An include names a file relative to the directory of the file that has it.
std::string resolve_include(const std::string& given, const std::string& includer) {
  if (!given.empty() && given[0] == '/') return given;
  std::string dir = std::filesystem::path(includer).parent_path().string();
  if (dir.empty()) return given;
  return dir.back() == '/' ? dir + given : dir + "/" + given;
}

bool has_glob_chars(const std::string& s) { return s.find_first_of("*?[") != std::string::npos; }

// Matches in byte order, without directories and dotfiles (nft's rules).
Result<std::vector<std::string>> glob_files(const std::string& pattern) {
  glob_t g{};
  const int rc = glob(pattern.c_str(), GLOB_MARK, nullptr, &g);
  std::vector<std::string> files;
  for (size_t i = 0; rc == 0 && i < g.gl_pathc; i++) {
    std::string match = g.gl_pathv[i];
    const bool dir = !match.empty() && match.back() == '/';
    if (!dir && std::filesystem::path(match).filename().string()[0] != '.')
      files.push_back(std::move(match));
  }
  globfree(&g);
  if (rc != 0 && rc != GLOB_NOMATCH) return usage_error("cannot expand '" + pattern + "'");
  std::sort(files.begin(), files.end());
  return files;
}

// ---------------------------------------------------------------------------
// Expander: runs the statements of a source in order, keeping the variables
// and the stack of open files across includes.

struct Variable {
  std::vector<Token> value;
  SourcePos defined_at;
};

class Expander {
 public:
  explicit Expander(SourceError* err) : err_(err) {}

  Status top_file(const std::string& path);
  Status source(std::string text, const std::string& file);
  std::vector<Statement> take() { return std::exchange(out_, {}); }
  void report_to(SourceError* err) { err_ = err; }

 private:
  struct OpenFile {
    std::string real;
    std::string name;
  };

  Status statement(Statement&& st);
  Status define(const Statement& st, bool redefine);
  Status check_define(const Statement& st, const std::vector<Token>& t, bool redefine);
  Status undefine(const Statement& st);
  Status include(const Statement& st);
  Status include_file(const Statement& st, const Token& name, const std::string& path);
  std::string cycle(const std::string& real, const std::string& path) const;
  Result<std::vector<Token>> expand(const Statement& st, const std::vector<Token>& t, size_t from);
  Status expand_token(const Statement& st, const Token& t, std::vector<Token>& out);
  Result<std::string> splice(const Statement& st, const Token& t);
  Result<const Variable*> lookup(const Statement& st, const Token& ref, std::string_view name);
  Error fail(SourceError e) const { return report(err_, std::move(e)); }

  SourceError* err_;
  std::map<std::string, Variable, std::less<>> vars_;
  std::vector<OpenFile> open_;  // for cycles: the top file and the includes being read
  int depth_ = 0;               // includes being read
  std::vector<Statement> out_;
};

Status Expander::top_file(const std::string& path) {
  auto text = read_file(path);
  if (!text) return fail(SourceError{{}, 1, text.error().message, ""});
  if (auto real = real_path(path); real && path != "-") open_.push_back({*real, path});
  return source(std::move(*text), path);
}

Status Expander::source(std::string text, const std::string& file) {
  if (auto bad = find_binary_data(text, file)) return fail(*bad);
  auto shared = std::make_shared<const SourceText>(std::move(text));
  auto statements = Scanner(std::move(shared), file, err_).scan();
  if (!statements) return statements.error();
  for (Statement& st : *statements) XLB_TRY(statement(std::move(st)));
  return {};
}

// Whether expand() would give the same words: no `$` outside quotes.
bool has_variables(const Statement& st) {
  return std::any_of(st.tokens.begin(), st.tokens.end(), [](const Token& t) {
    return !t.quoted && t.text.find('$') != std::string::npos;
  });
}

Status Expander::statement(Statement&& st) {
  const Token& first = st.tokens.front();
  if (!first.quoted) {
    if (first.text == "define") return define(st, false);
    if (first.text == "redefine") return define(st, true);
    if (first.text == "undefine") return undefine(st);
    if (first.text == "include") return include(st);
  }
  // Most statements of a big file: moved as they are, not copied word by word.
  if (!has_variables(st) && st.tokens.size() <= kMaxStatementWords) {
    out_.push_back(std::move(st));
    return {};
  }
  auto words = expand(st, st.tokens, 0);
  if (!words) return words.error();
  st.tokens = std::move(*words);
  out_.push_back(std::move(st));
  return {};
}

// `define NAME = VALUE`, also written `NAME=VALUE`, `NAME= VALUE`, `NAME =VALUE`:
// split the first '=' of the name or the word after it into a word of its own.
std::vector<Token> split_assignment(const std::vector<Token>& tokens) {
  std::vector<Token> out = tokens;
  for (size_t i = 1; i < out.size() && i <= 2; i++) {
    const Token t = out[i];
    const size_t eq = t.quoted ? std::string::npos : t.text.find('=');
    if (eq == std::string::npos) continue;
    if (t.text == "=") break;
    std::vector<Token> parts;
    if (eq > 0) parts.push_back(sub_token(t, 0, eq));
    parts.push_back(sub_token(t, eq, 1));
    if (eq + 1 < t.text.size()) parts.push_back(sub_token(t, eq + 1, t.text.size() - eq - 1));
    out.erase(out.begin() + static_cast<long>(i));
    out.insert(out.begin() + static_cast<long>(i), parts.begin(), parts.end());
    break;
  }
  return out;
}

Status Expander::check_define(const Statement& st, const std::vector<Token>& t, bool redefine) {
  const std::string keyword = t[0].text;
  if (t.size() < 2)
    return fail(st.error_at_end("expected a variable name after '" + keyword + "'"));
  if (t[1].text == "=" && !t[1].quoted)
    return fail(st.error_at(t[1], "expected a variable name after '" + keyword + "'"));
  if (t[1].quoted || !is_name(t[1].text))
    return fail(st.error_at(t[1], "invalid variable name '" + t[1].text +
                                      "': letters, digits and '_', not starting with a digit"));
  const std::string head = "'" + keyword + " " + t[1].text;
  if (t.size() < 3) return fail(st.error_at_end("expected '=' after " + head + "'"));
  if (t[2].text != "=" || t[2].quoted)
    return fail(st.error_at(t[2], "expected '=' after " + head + "'"));
  if (t.size() < 4) return fail(st.error_at_end("expected a value after " + head + " ='"));
  auto old = vars_.find(t[1].text);
  if (!redefine && old != vars_.end())
    return fail(st.error_at(t[1], "variable '" + t[1].text + "' is already defined at " +
                                      format_pos(old->second.defined_at) +
                                      "; use redefine to change it"));
  return {};
}

Status Expander::define(const Statement& st, bool redefine) {
  const std::vector<Token> t = split_assignment(st.tokens);
  XLB_TRY(check_define(st, t, redefine));
  // Expanded now: a value is fixed when defined, and cannot refer to itself.
  auto value = expand(st, t, 3);
  if (!value) return value.error();
  vars_[t[1].text] = Variable{std::move(*value), t[1].pos};
  return {};
}

Status Expander::undefine(const Statement& st) {
  const auto& t = st.tokens;
  if (t.size() < 2) return fail(st.error_at_end("expected a variable name after 'undefine'"));
  if (t.size() > 2)
    return fail(
        st.error_at(t[2], "unexpected '" + t[2].text + "' after 'undefine " + t[1].text + "'"));
  if (vars_.erase(t[1].text) == 0)
    return fail(st.error_at(t[1], "variable '" + t[1].text + "' is not defined"));
  return {};
}

Status Expander::include(const Statement& st) {
  if (st.tokens.size() < 2) return fail(st.error_at_end("expected a file name after 'include'"));
  auto args = expand(st, st.tokens, 1);
  if (!args) return args.error();
  if (args->size() > 1)
    return fail(
        st.error_at((*args)[1], "unexpected '" + (*args)[1].text + "' after the file name"));
  const Token& name = args->front();
  if (name.text.empty()) return fail(st.error_at(name, "empty file name"));
  if (depth_ >= kMaxIncludeDepth)
    return fail(st.error_at(name, "includes nested too deeply (more than " +
                                      std::to_string(kMaxIncludeDepth) + " levels)"));
  const std::string path = resolve_include(name.text, st.tokens[0].pos.file);
  if (!has_glob_chars(name.text)) return include_file(st, name, path);
  auto files = glob_files(path);
  if (!files) return fail(st.error_at(name, files.error().message));
  for (const std::string& file : *files) XLB_TRY(include_file(st, name, file));
  return {};
}

Status Expander::include_file(const Statement& st, const Token& name, const std::string& path) {
  auto real = real_path(path);
  if (!real) return fail(st.error_at(name, "cannot open '" + path + "': " + std::strerror(errno)));
  for (const OpenFile& f : open_)
    if (f.real == *real) return fail(st.error_at(name, "include cycle: " + cycle(*real, path)));
  auto text = read_file(path);
  if (!text) return fail(st.error_at(name, text.error().message));
  open_.push_back({*real, path});
  depth_++;
  Status s = source(std::move(*text), path);
  depth_--;
  open_.pop_back();
  return s;
}

// "a.conf -> b.conf -> a.conf": from the first file of the loop to its reopening.
std::string Expander::cycle(const std::string& real, const std::string& path) const {
  std::string out;
  bool in_loop = false;
  for (const OpenFile& f : open_) {
    in_loop = in_loop || f.real == real;
    if (in_loop) out += display_name(f.name) + " -> ";
  }
  return out + path;
}

Result<std::vector<Token>> Expander::expand(const Statement& st, const std::vector<Token>& t,
                                            size_t from) {
  std::vector<Token> out;
  for (size_t i = from; i < t.size(); i++) {
    XLB_TRY(expand_token(st, t[i], out));
    if (out.size() > kMaxStatementWords)
      return fail(st.error_at(t[i], "variable expansion too large: more than " +
                                        std::to_string(kMaxStatementWords) + " words"));
  }
  return out;
}

Status Expander::expand_token(const Statement& st, const Token& t, std::vector<Token>& out) {
  if (t.quoted || t.text.find('$') == std::string::npos) {
    out.push_back(t);
    return {};
  }
  if (t.text[0] == '$' && is_name(std::string_view(t.text).substr(1))) {
    auto var = lookup(st, t, std::string_view(t.text).substr(1));
    if (!var) return var.error();
    // The words stand where the $NAME stood: errors about them point there.
    for (const Token& w : (*var)->value) out.push_back(Token{w.text, t.pos, t.length, w.quoted});
    return {};
  }
  auto text = splice(st, t);
  if (!text) return text.error();
  out.push_back(Token{std::move(*text), t.pos, t.length, false});
  return {};
}

// A word with variables inside it ("$VIP:80"): each must hold one word.
Result<std::string> Expander::splice(const Statement& st, const Token& t) {
  std::string out;
  for (size_t i = 0; i < t.text.size();) {
    if (t.text[i] != '$') {
      out += t.text[i++];
      continue;
    }
    const size_t n = name_length(t.text, i + 1);
    const Token ref = sub_token(t, i, n + 1);
    if (n == 0) return fail(st.error_at(ref, "'$' must be followed by a variable name"));
    auto var = lookup(st, ref, std::string_view(t.text).substr(i + 1, n));
    if (!var) return var.error();
    if ((*var)->value.size() != 1)
      return fail(st.error_at(
          ref, "variable '" + ref.text + "' has several words and cannot be part of a word"));
    out += (*var)->value.front().text;
    if (out.size() > kMaxWordBytes)
      return fail(st.error_at(t, "variable expansion too large: a word of more than " +
                                     std::to_string(kMaxWordBytes) + " bytes"));
    i += n + 1;
  }
  return out;
}

Result<const Variable*> Expander::lookup(const Statement& st, const Token& ref,
                                         std::string_view name) {
  auto it = vars_.find(name);
  if (it == vars_.end())
    return fail(st.error_at(ref, "undefined variable '$" + std::string(name) + "'"));
  return &it->second;
}

}  // namespace

Result<std::vector<Statement>> lex_file(const std::string& path, SourceError* err) {
  Expander ex(err);
  XLB_TRY(ex.top_file(path));
  return ex.take();
}

Result<std::vector<Statement>> lex_text(std::string_view text, const std::string& name,
                                        SourceError* err) {
  Expander ex(err);
  XLB_TRY(ex.source(std::string(text), name));
  return ex.take();
}

struct LexSession::Impl {
  Expander ex{nullptr};
};

LexSession::LexSession() : impl_(std::make_unique<Impl>()) {}
LexSession::~LexSession() = default;

Result<std::vector<Statement>> LexSession::lex(std::string_view text, const std::string& name,
                                               SourceError* err) {
  impl_->ex.report_to(err);
  Status s = impl_->ex.source(std::string(text), name);
  std::vector<Statement> out = impl_->ex.take();  // a failed line leaves nothing behind
  if (!s) return s.error();
  return out;
}

}  // namespace xlb
