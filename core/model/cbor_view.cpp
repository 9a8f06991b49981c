#include "model/cbor_view.hpp"

namespace xlb {

namespace {

constexpr uint8_t kText = 3, kArray = 4, kMap = 5, kSimple = 7;
constexpr uint32_t kMaxDepth = 64;  // check_cbor allows 16

[[noreturn]] void fail(const std::string& why) { throw CborView::TypeError("CBOR: " + why); }

}  // namespace

CborDoc::CborDoc(std::span<const uint8_t> blob) : blob_(blob) {
  if (blob.size() >= kMaxBlob) fail("a model over 16 MiB");
  items_.reserve(blob.size() / 4 + 2);
  items_.emplace_back();  // index 0: "absent"
  if (!blob.empty()) parse(0);
}

uint64_t CborDoc::argument(uint8_t info) {
  if (info < 24) return info;
  if (info > 27) fail("indefinite or reserved length");
  const size_t n = size_t{1} << (info - 24);
  if (blob_.size() - pos_ < n) fail("cut short");
  uint64_t v = 0;
  for (size_t k = 0; k < n; k++) v = (v << 8) | blob_[pos_++];
  return v;
}

// Appends the item at pos_ and everything it contains; returns its index.
uint32_t CborDoc::parse(uint32_t depth) {
  if (depth > kMaxDepth) fail("nested too deeply");
  if (pos_ >= blob_.size()) fail("cut short");
  const uint8_t head = blob_[pos_++];
  const uint8_t major = head >> 5, info = head & 0x1f;
  Item it;
  it.arg = major == kSimple && info < 24 ? info : argument(info);
  it.offset_head = static_cast<uint32_t>(pos_ << 8) | head;
  const auto index = static_cast<uint32_t>(items_.size());
  items_.push_back(it);
  if (major == 2 || major == kText) {
    if (it.arg > blob_.size() - pos_) fail("a string longer than the blob");
    pos_ += it.arg;
  } else if (major == kArray || major == kMap) {
    const uint64_t children = major == kMap ? it.arg * 2 : it.arg;
    if (children > blob_.size() - pos_) fail("more elements announced than bytes left");
    for (uint64_t k = 0; k < children; k++) {
      const uint32_t child = parse(depth + 1);
      // nlohmann's from_cbor refuses keys that are not text; so do we.
      if (major == kMap && k % 2 == 0 && items_[child].major() != kText)
        fail("a map key that is not text");
    }
  } else if (major == 6) {
    fail("a tagged item");
  }
  items_[index].next = static_cast<uint32_t>(items_.size());
  return index;
}

std::string_view CborDoc::bytes(const Item& it) const {
  return {reinterpret_cast<const char*>(blob_.data() + it.offset()), static_cast<size_t>(it.arg)};
}

// The last matching key wins, as in nlohmann's from_cbor.
uint32_t CborView::find(std::string_view key) const {
  const auto& m = doc_->item(i_);
  if (m.major() != kMap) fail("a key looked up in something that is not a map");
  uint32_t found = 0;
  uint32_t k = i_ + 1;
  for (uint64_t n = 0; n < m.arg; n++) {
    const auto& key_item = doc_->item(k);
    const uint32_t v = key_item.next;
    if (key_item.major() == kText && doc_->bytes(key_item) == key) found = v;
    k = doc_->item(v).next;
  }
  return found;
}

CborView CborView::at(std::string_view key) const {
  uint32_t k = find(key);
  if (!k) fail("key '" + std::string(key) + "' not found");
  return {doc_, k};
}

std::string_view CborView::text() const {
  const auto& it = doc_->item(i_);
  if (it.major() != kText) fail("a string expected");
  return doc_->bytes(it);
}

bool CborView::boolean() const {
  const auto& it = doc_->item(i_);
  if (it.major() != kSimple || (it.arg != 20 && it.arg != 21)) fail("a boolean expected");
  return it.arg == 21;
}

uint64_t CborView::integer() const {
  const auto& it = doc_->item(i_);
  if (it.major() == 0) return it.arg;
  if (it.major() == 1) return ~it.arg;  // -1 - arg, in two's complement
  if (it.major() == kSimple && (it.arg == 20 || it.arg == 21)) return it.arg == 21;
  fail("a number expected");
}

std::string CborView::dump() const {
  const auto& it = doc_->item(i_);
  return it.major() == kText ? "\"" + std::string(doc_->bytes(it)) + "\"" : "?";
}

CborView::Iterator& CborView::Iterator::operator++() {
  i_ = doc_->item(i_).next;
  left_--;
  return *this;
}

size_t CborView::size() const {
  const auto& it = doc_->item(i_);
  if (it.major() != kArray) fail("an array expected");
  return static_cast<size_t>(it.arg);
}

CborView::Iterator CborView::begin() const {
  const auto& it = doc_->item(i_);
  if (it.major() != kArray) fail("an array expected");
  return {doc_, i_ + 1, static_cast<uint32_t>(it.arg)};
}

CborView::Iterator CborView::end() const { return {doc_, 0, 0}; }

}  // namespace xlb
