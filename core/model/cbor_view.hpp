// Read-only access to a CBOR blob with the part of nlohmann::json's API the
// model decoder uses (at, value, contains, get, iteration over arrays).
//
// Why: the store holds the model as CBOR, and every command decodes it.
// nlohmann::json::from_cbor builds a tree of one allocation per field
// (10,000 backends: 120,000 nodes, ~9,000 page faults, 350 ms on this VM);
// this indexes the blob in one vector and reads values in place, and the
// model's one field mapping (model_json.cpp) serves both types.
//
// The blob must have passed check_cbor() (heads, lengths, depth, UTF-8);
// the index still never reads outside it. A value of the wrong type, or a
// missing key, throws CborView::TypeError, as nlohmann throws json::exception.
#pragma once

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

  CborView(const CborDoc* doc, uint32_t index) : doc_(doc), i_(index) {}

  bool contains(std::string_view key) const { return find(key) != 0; }
  CborView at(std::string_view key) const;
  template <class T>
  T value(std::string_view key, const T& fallback) const {
    uint32_t k = find(key);
    return k ? CborView(doc_, k).get<T>() : fallback;
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
    Iterator(const CborDoc* doc, uint32_t index, uint32_t left)
        : doc_(doc), i_(index), left_(left) {}
    CborView operator*() const { return {doc_, i_}; }
    Iterator& operator++();
    bool operator!=(const Iterator& o) const { return left_ != o.left_; }

   private:
    const CborDoc* doc_;
    uint32_t i_, left_;
  };
  // The elements of an array (throws for anything else).
  size_t size() const;
  Iterator begin() const;
  Iterator end() const;

 private:
  uint32_t find(std::string_view key) const;  // the value's index, 0 when absent
  std::string_view text() const;
  bool boolean() const;
  // Integers (and booleans, as nlohmann converts them) as the two's
  // complement a static_cast of the int64 gives; anything else throws.
  uint64_t integer() const;

  const CborDoc* doc_;
  uint32_t i_;
};

// The index of a blob: one entry per item, in document order; the blob must
// outlive it.
class CborDoc {
 public:
  // 16 bytes (a model of 10,000 backends has about 260,000 items).
  struct Item {
    uint64_t arg = 0;   // the head's argument: a length, count or value
    uint32_t next = 0;  // the index after this item and all it contains
    // The offset after the head (strings: where the bytes start) << 8,
    // and the head byte.
    uint32_t offset_head = 0;
    uint8_t major() const { return (offset_head & 0xff) >> 5; }
    uint8_t info() const { return offset_head & 0x1f; }
    uint32_t offset() const { return offset_head >> 8; }
  };
  static constexpr size_t kMaxBlob = size_t{1} << 24;  // the store holds up to 16 MiB

  explicit CborDoc(std::span<const uint8_t> blob);
  CborView root() const { return {this, 1}; }  // index 0 stands for "absent"

  const Item& item(uint32_t i) const { return items_.at(i); }
  std::string_view bytes(const Item& it) const;

 private:
  uint32_t parse(uint32_t depth);
  uint64_t argument(uint8_t info);

  std::span<const uint8_t> blob_;
  size_t pos_ = 0;
  std::vector<Item> items_;
};

}  // namespace xlb
