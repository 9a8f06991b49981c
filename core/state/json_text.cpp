#include "state/json_text.hpp"

#include <charconv>
#include <nlohmann/json.hpp>

namespace xlb {

namespace {

// Text dump() writes as it is: no quote, backslash, control or non-ASCII
// byte (those take nlohmann's own escaping, below).
bool plain(std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x80 || c == '"' || c == '\\') return false;
  }
  return true;
}

}  // namespace

void JsonText::spill() {
  constexpr size_t kPiece = 64 << 10;
  if (sink_ && out_.size() >= kPiece) flush();
}

void JsonText::flush() {
  if (!sink_ || out_.empty()) return;
  sink_(out_);
  out_.clear();
}

void JsonText::newline(size_t depth) {
  out_ += '\n';
  out_.append(depth * static_cast<size_t>(indent_), ' ');
}

void JsonText::next_item() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (empty_.empty()) return;
  if (!empty_.back()) out_ += ',';
  empty_.back() = false;
  if (indent_ >= 0) newline(empty_.size());
}

JsonText& JsonText::open(char c) {
  next_item();
  out_ += c;
  empty_.push_back(true);
  return *this;
}

JsonText& JsonText::close(char c) {
  const bool was_empty = empty_.back();
  empty_.pop_back();
  if (indent_ >= 0 && !was_empty) newline(empty_.size());
  out_ += c;
  spill();
  return *this;
}

void JsonText::quoted(std::string_view s) {
  if (plain(s)) {
    out_ += '"';
    out_ += s;
    out_ += '"';
    return;
  }
  out_ +=
      nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

JsonText& JsonText::key(std::string_view k) {
  next_item();
  quoted(k);
  out_ += indent_ >= 0 ? ": " : ":";
  after_key_ = true;
  return *this;
}

JsonText& JsonText::value(std::string_view s) {
  next_item();
  quoted(s);
  return *this;
}

JsonText& JsonText::value(bool b) {
  next_item();
  out_ += b ? "true" : "false";
  return *this;
}

JsonText& JsonText::value(uint64_t n) {
  next_item();
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), n);
  out_.append(buf, r.ptr);
  return *this;
}

}  // namespace xlb
