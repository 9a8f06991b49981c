// CBOR written straight into bytes, as nlohmann::json::to_cbor writes the
// same document: definite lengths, the shortest head for every number,
// length and count. What the store's writer needs to encode 10,000 backends
// without a tree of one allocation per field (model_cbor.cpp).
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string_view>
#include <vector>

namespace xlb {

class CborOut {
 public:
  CborOut& map(uint64_t pairs) { return head(5, pairs); }
  CborOut& array(uint64_t items) { return head(4, items); }
  CborOut& text(std::string_view s);
  CborOut& uint(uint64_t v) { return head(0, v); }
  CborOut& boolean(bool b);
  // Any JSON value, as to_cbor() writes it (objects: keys sorted).
  CborOut& value(const nlohmann::json& j);

  std::vector<uint8_t>& bytes() { return out_; }

 private:
  CborOut& head(uint8_t major, uint64_t arg);
  std::vector<uint8_t> out_;
};

}  // namespace xlb
