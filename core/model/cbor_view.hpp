// Read-only access to a CBOR blob with the part of nlohmann::json's API the
// model decoder uses (at, value, contains, get, iteration over arrays).
//
// Why: the store holds the model as CBOR, and every command decodes it.
// nlohmann::json::from_cbor builds a tree of one allocation per field
// (10,000 backends: 120,000 nodes, ~9,000 page faults, 350 ms on this VM);
// this reads values in place, with an index of where each array and map
// ends, and the model's one field mapping (model_json.cpp) serves both types.
//
// The blob must have passed check_cbor() (heads, lengths, depth, UTF-8);
// the index still never reads outside it. A value of the wrong type, or a
// missing key, throws CborView::TypeError, as nlohmann throws json::exception.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace xlb {

class CborDoc;

class CborView {
 public:
  struct TypeError : std::runtime_error {
    using std::runtime_error::runtime_error;
  };

  // at: the offset of the item's head in the blob.
  CborView(const CborDoc* doc, uint32_t at) : doc_(doc), at_(at) {}

  bool contains(std::string_view key) const { return find(key) != kAbsent; }
  CborView at(std::string_view key) const;
  template <class T>
  T value(std::string_view key, const T& fallback) const {
    uint32_t k = find(key);
    return k != kAbsent ? CborView(doc_, k).get<T>() : fallback;
  }
  template <class T>
  T get() const {
    if constexpr (std::is_same_v<T, std::string>)
      return std::string(text());
    else if constexpr (std::is_same_v<T, bool>)
      return boolean();
    else
      return static_cast<T>(integer());
  }
  // For error messages: a text value quoted, anything else as "?".
  std::string dump() const;

  class Iterator {
   public:
    Iterator(const CborDoc* doc, uint32_t at, uint32_t left) : doc_(doc), at_(at), left_(left) {}
    CborView operator*() const { return {doc_, at_}; }
    Iterator& operator++();
    bool operator!=(const Iterator& o) const { return left_ != o.left_; }

   private:
    const CborDoc* doc_;
    uint32_t at_, left_;
  };
  // The elements of an array (throws for anything else).
  size_t size() const;
  Iterator begin() const;
  Iterator end() const;

 private:
  static constexpr uint32_t kAbsent = UINT32_MAX;
  uint32_t find(std::string_view key) const;  // the value's offset, kAbsent when absent
  std::string_view text() const;
  bool boolean() const;
  // Integers (and booleans, as nlohmann converts them) as the two's
  // complement a static_cast of the int64 gives; anything else throws.
  uint64_t integer() const;

  const CborDoc* doc_;
  uint32_t at_;
  // A map's keys strictly ascending (as our encoder writes them), so
  // unique: find() stops at the first key not below the one it looks for.
  // -1: not looked up yet.
  mutable int8_t sorted_ = -1;
  // In a sorted map, the key after the last one found (offset of its head,
  // 0: none, and its index): a decoder that asks for keys in ascending
  // order, as the backends' does, finds each one step on.
  mutable uint32_t next_key_ = 0, next_index_ = 0;
};

// A checked blob and the end of each array and map in it; everything else is
// read in place from its head (a model of 10,000 backends has about 260,000
// items but 11,000 containers: the index is 90 KB, not 4 MB of pages to
// fault in). The blob must outlive it.
class CborDoc {
 public:
  struct Head {
    uint8_t major = 0;
    uint8_t info = 0;
    uint64_t arg = 0;   // a length, count or value
    uint32_t data = 0;  // the offset after the head (strings: their bytes)
  };
  static constexpr size_t kMaxBlob = size_t{1} << 24;  // the store holds up to 16 MiB

  explicit CborDoc(std::span<const uint8_t> blob);
  CborView root() const;

  Head head(uint32_t at) const;
  uint32_t end_of(uint32_t at) const;   // the offset after the item and all it contains
  bool sorted_keys(uint32_t at) const;  // the map at `at` has strictly ascending keys
  std::string_view bytes(const Head& h) const;

 private:
  struct Container {
    uint32_t start = 0, end = 0;
    bool sorted = true;  // maps: keys strictly ascending
  };
  const Container& container(uint32_t at) const;
  void parse(uint32_t depth);
  uint64_t argument(uint8_t info);

  std::span<const uint8_t> blob_;
  size_t pos_ = 0;
  std::vector<Container> containers_;  // in document order: sorted by start
};

}  // namespace xlb
