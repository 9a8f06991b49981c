#include "model/cbor_out.hpp"

#include <nlohmann/json.hpp>

namespace xlb {

CborOut& CborOut::head(uint8_t major, uint64_t arg) {
  const auto m = static_cast<uint8_t>(major << 5);
  if (arg < 24) {
    out_.push_back(static_cast<uint8_t>(m | arg));
    return *this;
  }
  const int bytes = arg <= 0xff ? 1 : arg <= 0xffff ? 2 : arg <= 0xffffffff ? 4 : 8;
  out_.push_back(static_cast<uint8_t>(m | (bytes == 1   ? 24
                                           : bytes == 2 ? 25
                                           : bytes == 4 ? 26
                                                        : 27)));
  for (int k = bytes - 1; k >= 0; k--) out_.push_back(static_cast<uint8_t>(arg >> (8 * k)));
  return *this;
}

CborOut& CborOut::text(std::string_view s) {
  head(3, s.size());
  out_.insert(out_.end(), s.begin(), s.end());
  return *this;
}

CborOut& CborOut::boolean(bool b) {
  out_.push_back(b ? 0xf5 : 0xf4);
  return *this;
}

CborOut& CborOut::value(const nlohmann::json& j) {
  using V = nlohmann::json::value_t;
  switch (j.type()) {
    case V::object:
      map(j.size());
      for (const auto& [k, v] : j.items()) text(k).value(v);
      return *this;
    case V::array:
      array(j.size());
      for (const auto& v : j) value(v);
      return *this;
    case V::string:
      return text(j.get_ref<const std::string&>());
    case V::number_unsigned:
      return uint(j.get<uint64_t>());
    case V::boolean:
      return boolean(j.get<bool>());
    default: {  // negative numbers, floats, null: as nlohmann writes them
      const std::vector<uint8_t> b = nlohmann::json::to_cbor(j);
      out_.insert(out_.end(), b.begin(), b.end());
      return *this;
    }
  }
}

}  // namespace xlb
