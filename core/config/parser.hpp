// Internal to the command grammar: a cursor over a command's words and the
// small readers every object's parser shares.
#pragma once

#include <algorithm>
#include <functional>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>

#include "config/command.hpp"

namespace xlb::parse {

class Cursor {
 public:
  explicit Cursor(std::span<const std::string> words) : words_(words) {}

  bool done() const { return pos_ >= words_.size(); }
  int pos() const { return static_cast<int>(pos_); }
  const std::string& peek() const { return words_[pos_]; }
  const std::string& next() { return words_[pos_++]; }

  // Errors point at the current word (or past the end when none is left).
  Error error(const std::string& msg) const { return usage_error(msg, pos()); }
  Error error_at(int at, const std::string& msg) const { return usage_error(msg, at); }
  Error missing(const std::string& what) const;

 private:
  std::span<const std::string> words_;
  size_t pos_ = 0;
};

// The one word of `choices` that `word` is a unique prefix of (exact match
// wins; a word and its longer alias, del and delete, count as one), or
// nullopt.
std::optional<std::string> match_prefix(const std::string& word,
                                        std::initializer_list<const char*> choices);
// The verb of OBJECT at the cursor (consumed), or "unknown OBJECT command"
// with a "did you mean" when one verb is near.
Result<std::string> read_verb(Cursor& c, const std::string& object,
                              std::initializer_list<const char*> verbs);

Result<std::string> read_word(Cursor& c, const std::string& what);
Result<uint64_t> read_uint(Cursor& c, const std::string& what, uint64_t lo, uint64_t hi);
Result<IpAddr> read_addr(Cursor& c, const std::string& what);
Result<MacAddr> read_mac(Cursor& c);
Result<Proto> read_proto(Cursor& c);
Result<Endpoint> read_endpoint(Cursor& c);
// SERVICE := NAME | PROTO VIP[:PORT]
Result<ServiceRef> read_service_ref(Cursor& c);
Status expect_end(const Cursor& c);
// [SERVICE] and nothing after it: the argument of the list verbs.
Result<std::optional<ServiceRef>> read_optional_service_ref(Cursor& c);

Result<Command> parse_interface(Cursor& c);
Result<Command> parse_service(Cursor& c);
Result<Command> parse_backend(Cursor& c);
Result<Command> parse_check(Cursor& c);
Result<Command> parse_flows(Cursor& c);
Result<Command> parse_stats(Cursor& c);
Result<Command> parse_set(Cursor& c);
Result<Command> parse_list(Cursor& c);
Result<Command> parse_flush(Cursor& c);
Result<Command> parse_import(Cursor& c);
Result<Command> parse_decap(Cursor& c);
Result<Command> parse_nat(Cursor& c);
Result<Command> parse_filter(Cursor& c);
Result<Command> parse_capture(Cursor& c);

}  // namespace xlb::parse

namespace xlb::parse {

// Reads `KEYWORD VALUE...` options until the end of the words, each keyword
// at most once; `handle` reads the value of the keyword it is given.
Status read_options(Cursor& c, std::initializer_list<const char*> keywords,
                    const std::function<Status(const std::string&, Cursor&)>& handle);

}  // namespace xlb::parse
