// JSON written straight into a string, byte for byte as nlohmann::json's
// dump() writes the same document (compact, or indented by `indent`): the
// big read views (`stats -j`, `service list -j` of 1,000 services x 10
// backends) without a tree of one allocation per field.
//
// The caller writes each object's keys in the order dump() would: sorted
// (tests/cli/json_schema_test.cpp compares the output with its own re-dump).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace xlb {

class JsonText {
 public:
  // With `sink`, the text goes to it in pieces of about 64 KiB as it is
  // written (and the rest on flush()), not into one string of megabytes.
  using Sink = std::function<void(std::string_view)>;
  explicit JsonText(int indent = -1, Sink sink = {}) : indent_(indent), sink_(std::move(sink)) {}

  JsonText& begin_object() { return open('{'); }
  JsonText& end_object() { return close('}'); }
  JsonText& begin_array() { return open('['); }
  JsonText& end_array() { return close(']'); }
  // The next value is this key's.
  JsonText& key(std::string_view k);

  JsonText& value(std::string_view s);
  JsonText& value(const char* s) { return value(std::string_view(s)); }
  JsonText& value(const std::string& s) { return value(std::string_view(s)); }
  JsonText& value(bool b);
  JsonText& value(uint64_t n);
  JsonText& value(uint32_t n) { return value(uint64_t{n}); }
  JsonText& value(uint16_t n) { return value(uint64_t{n}); }

  template <class T>
  JsonText& field(std::string_view k, const T& v) {
    return key(k).value(v);
  }

  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }
  void flush();  // hands what is left to the sink

 private:
  JsonText& open(char c);
  JsonText& close(char c);
  void next_item();  // the separator and indentation before an element or key
  void newline(size_t depth);
  void quoted(std::string_view s);

  void spill();  // to the sink, once enough is written

  int indent_;
  Sink sink_;
  std::string out_;
  std::vector<bool> empty_;  // per open container: nothing written in it yet
  bool after_key_ = false;
};

}  // namespace xlb
