#include "model/cbor_view.hpp"

#include <algorithm>

namespace xlb {

namespace {

constexpr uint8_t kText = 3, kArray = 4, kMap = 5, kSimple = 7;
constexpr uint32_t kMaxDepth = 64;  // check_cbor allows 16

[[noreturn]] void fail(const std::string& why) { throw CborView::TypeError("CBOR: " + why); }

}  // namespace

CborDoc::CborDoc(std::span<const uint8_t> blob) : blob_(blob) {
  if (blob.size() >= kMaxBlob) fail("a model over 16 MiB");
  if (!blob.empty()) parse(0);
}

CborView CborDoc::root() const {
  if (blob_.empty()) fail("cut short");
  return {this, 0};
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

// Checks the item at pos_ and everything it contains, and records where each
// array and map ends.
void CborDoc::parse(uint32_t depth) {
  if (depth > kMaxDepth) fail("nested too deeply");
  if (pos_ >= blob_.size()) fail("cut short");
  const auto start = static_cast<uint32_t>(pos_);
  const uint8_t lead = blob_[pos_++];
  const uint8_t major = lead >> 5, info = lead & 0x1f;
  const uint64_t arg = major == kSimple && info < 24 ? info : argument(info);
  if (major == 2 || major == kText) {
    if (arg > blob_.size() - pos_) fail("a string longer than the blob");
    pos_ += arg;
  } else if (major == kArray || major == kMap) {
    const uint64_t children = major == kMap ? arg * 2 : arg;
    if (children > blob_.size() - pos_) fail("more elements announced than bytes left");
    const size_t index = containers_.size();
    containers_.push_back({start, 0, true});
    std::string_view last_key;
    for (uint64_t k = 0; k < children; k++) {
      const auto child = static_cast<uint32_t>(pos_);
      parse(depth + 1);
      if (major != kMap || k % 2 != 0) continue;
      // nlohmann's from_cbor refuses keys that are not text; so do we.
      if (blob_[child] >> 5 != kText) fail("a map key that is not text");
      const std::string_view key = bytes(head(child));
      if (k > 0 && !(last_key < key)) containers_[index].sorted = false;
      last_key = key;
    }
    containers_[index].end = static_cast<uint32_t>(pos_);
  } else if (major == 6) {
    fail("a tagged item");
  }
}

// Only for offsets parse() walked: heads are whole and lengths fit.
CborDoc::Head CborDoc::head(uint32_t at) const {
  const uint8_t b = blob_[at];
  Head h{static_cast<uint8_t>(b >> 5), static_cast<uint8_t>(b & 0x1f), 0, at + 1};
  if (h.info < 24) {
    h.arg = h.info;
    return h;
  }
  const uint32_t n = uint32_t{1} << (h.info - 24);
  for (uint32_t k = 0; k < n; k++) h.arg = (h.arg << 8) | blob_[h.data + k];
  h.data += n;
  return h;
}

const CborDoc::Container& CborDoc::container(uint32_t at) const {
  return *std::lower_bound(containers_.begin(), containers_.end(), at,
                           [](const Container& x, uint32_t v) { return x.start < v; });
}

uint32_t CborDoc::end_of(uint32_t at) const {
  const Head h = head(at);
  if (h.major == 2 || h.major == kText) return h.data + static_cast<uint32_t>(h.arg);
  if (h.major != kArray && h.major != kMap) return h.data;
  return container(at).end;
}

bool CborDoc::sorted_keys(uint32_t at) const { return container(at).sorted; }

std::string_view CborDoc::bytes(const Head& h) const {
  return {reinterpret_cast<const char*>(blob_.data() + h.data), static_cast<size_t>(h.arg)};
}

// The last matching key wins, as in nlohmann's from_cbor; in a map of
// ascending keys the first is the only one, and a greater key ends the search.
uint32_t CborView::find(std::string_view key) const {
  const CborDoc::Head m = doc_->head(at_);
  if (m.major != kMap) fail("a key looked up in something that is not a map");
  if (sorted_ < 0) sorted_ = doc_->sorted_keys(at_) ? 1 : 0;
  uint32_t found = kAbsent;
  uint32_t k = m.data;
  uint64_t n = 0;
  if (sorted_ && next_key_ && doc_->bytes(doc_->head(next_key_)) <= key) {
    k = next_key_;  // every key before it is below `key`
    n = next_index_;
  }
  for (; n < m.arg; n++) {
    const CborDoc::Head key_head = doc_->head(k);
    const uint32_t v = key_head.data + static_cast<uint32_t>(key_head.arg);  // keys are text
    const std::string_view here = doc_->bytes(key_head);
    k = doc_->end_of(v);
    if (here == key) found = v;
    if (sorted_ && here >= key) {
      if (found != kAbsent && n + 1 < m.arg) {
        next_key_ = k;
        next_index_ = static_cast<uint32_t>(n + 1);
      }
      break;
    }
  }
  return found;
}

CborView CborView::at(std::string_view key) const {
  uint32_t k = find(key);
  if (k == kAbsent) fail("key '" + std::string(key) + "' not found");
  return {doc_, k};
}

std::string_view CborView::text() const {
  const CborDoc::Head h = doc_->head(at_);
  if (h.major != kText) fail("a string expected");
  return doc_->bytes(h);
}

bool CborView::boolean() const {
  const CborDoc::Head h = doc_->head(at_);
  if (h.major != kSimple || (h.arg != 20 && h.arg != 21)) fail("a boolean expected");
  return h.arg == 21;
}

uint64_t CborView::integer() const {
  const CborDoc::Head h = doc_->head(at_);
  if (h.major == 0) return h.arg;
  if (h.major == 1) return ~h.arg;  // -1 - arg, in two's complement
  if (h.major == kSimple && (h.arg == 20 || h.arg == 21)) return h.arg == 21;
  fail("a number expected");
}

std::string CborView::dump() const {
  const CborDoc::Head h = doc_->head(at_);
  return h.major == kText ? "\"" + std::string(doc_->bytes(h)) + "\"" : "?";
}

CborView::Iterator& CborView::Iterator::operator++() {
  at_ = doc_->end_of(at_);
  left_--;
  return *this;
}

size_t CborView::size() const {
  const CborDoc::Head h = doc_->head(at_);
  if (h.major != kArray) fail("an array expected");
  return static_cast<size_t>(h.arg);
}

CborView::Iterator CborView::begin() const {
  const CborDoc::Head h = doc_->head(at_);
  if (h.major != kArray) fail("an array expected");
  return {doc_, h.data, static_cast<uint32_t>(h.arg)};
}

CborView::Iterator CborView::end() const { return {doc_, 0, 0}; }

}  // namespace xlb
