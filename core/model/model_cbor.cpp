#include "model/model_cbor.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/text.hpp"
#include "model/cbor_view.hpp"

namespace xlb {

namespace {

// A walk over CBOR items (RFC 8949) that checks their heads and lengths
// without building anything.
class CborWalker {
 public:
  explicit CborWalker(std::span<const uint8_t> b) : b_(b) {}

  Status item(int depth);
  bool at_end() const { return i_ == b_.size(); }

 private:
  Result<uint64_t> argument(uint8_t info);
  Status text(uint64_t len, bool utf8);
  Status items(uint64_t count, int depth);
  Status simple(uint8_t info);
  size_t left() const { return b_.size() - i_; }

  std::span<const uint8_t> b_;
  size_t i_ = 0;
};

Error bad(const std::string& why) { return runtime_error("not a stored model: " + why); }

Result<uint64_t> CborWalker::argument(uint8_t info) {
  if (info < 24) return uint64_t{info};
  if (info > 27) return bad("indefinite or reserved length");
  const size_t n = size_t{1} << (info - 24);
  if (left() < n) return bad("cut short");
  uint64_t v = 0;
  for (size_t k = 0; k < n; k++) v = (v << 8) | b_[i_++];
  return v;
}

Status CborWalker::text(uint64_t len, bool utf8) {
  if (len > left()) return bad("a string longer than the blob");
  std::string_view s(reinterpret_cast<const char*>(b_.data() + i_), len);
  if (utf8 && !is_valid_utf8(s)) return bad("a string that is not UTF-8");
  i_ += len;
  return {};
}

// Every item takes at least one byte: a count above the bytes left is a lie
// (the 9-byte blob announcing 8.3e18 elements).
Status CborWalker::items(uint64_t count, int depth) {
  if (count > left()) return bad("more elements announced than bytes left");
  for (uint64_t k = 0; k < count; k++) XLB_TRY(item(depth + 1));
  return {};
}

// Major type 7: false, true, null and floats are what our encoder writes.
Status CborWalker::simple(uint8_t info) {
  if (info == 20 || info == 21 || info == 22) return {};
  if (info < 25 || info > 27) return bad("an unexpected simple value");
  auto bits = argument(info);  // a float: only its length matters here
  if (!bits) return bits.error();
  return {};
}

Status CborWalker::item(int depth) {
  if (depth > kMaxCborDepth) return bad("nested too deeply");
  if (left() == 0) return bad("cut short");
  const uint8_t head = b_[i_++];
  const uint8_t major = head >> 5, info = head & 0x1f;
  if (major == 7) return simple(info);
  auto arg = argument(info);
  if (!arg) return arg.error();
  switch (major) {
    case 0:
    case 1:
      return {};
    case 2:
    case 3:
      return text(*arg, major == 3);
    case 4:
      return items(*arg, depth);
    case 5:
      if (*arg > left() / 2) return bad("more entries announced than bytes left");
      return items(*arg * 2, depth);
    default:
      return bad("a tagged item");
  }
}

}  // namespace

Status check_cbor(std::span<const uint8_t> blob) {
  CborWalker w(blob);
  XLB_TRY(w.item(0));
  if (!w.at_end()) return bad("bytes after the model");
  return {};
}

// config_to_cbor: model_json.cpp, beside the field mapping it follows.

Result<Config> config_from_cbor(std::span<const uint8_t> blob) {
  XLB_TRY(check_cbor(blob));
  try {
    // Read in place (cbor_view.hpp): no tree of nlohmann nodes.
    CborDoc doc(blob);
    auto c = config_from_cbor_view(doc.root());
    if (!c) return bad(c.error().message);
    XLB_TRY(validate_stored(*c));
    return c;
  } catch (const std::exception& e) {
    return bad(e.what());
  }
}

}  // namespace xlb

namespace xlb {

namespace {

Status address_family(const std::optional<IpAddr>& a, bool v6, const char* what) {
  if (a && a->is_v6() != v6)
    return bad(std::string(what) + " " + a->str() + " of the wrong family");
  return {};
}

// As `set nat4|nat6` accepts them.
Status nat_prefix(const std::optional<IpPrefix>& p, bool v6, const char* what) {
  if (!p) return {};
  if (p->addr.is_v6() != v6 || p->len > (v6 ? 126 : 30))
    return bad(std::string(what) + " " + p->str() + " is not a usable range");
  return {};
}

Status stored_settings(const Settings& st) {
  XLB_TRY(address_family(st.source4, false, "source4"));
  XLB_TRY(address_family(st.source6, true, "source6"));
  XLB_TRY(address_family(st.gateway4, false, "gateway4"));
  XLB_TRY(address_family(st.gateway6, true, "gateway6"));
  XLB_TRY(nat_prefix(st.nat4, false, "nat4"));
  return nat_prefix(st.nat6, true, "nat6");
}

// What the grammar refuses and validate() does not look at: a name that is a
// protocol, a zero explicit MAC, backends out of address order (the order
// backend_add keeps, which Maglev and the printed ruleset rely on).
Status stored_service(const Service& s) {
  if (parse_proto(s.name)) return bad("a service named '" + s.name + "'");
  for (size_t i = 0; i < s.backends.size(); i++) {
    const Backend& b = s.backends[i];
    if (b.mac_explicit && b.mac.is_zero())
      return bad("backend " + b.addr.str() + " of " + s.name + " with MAC 00:00:00:00:00:00");
    if (i > 0 && !(s.backends[i - 1].addr < b.addr))
      return bad("backends of " + s.name + " out of order");
  }
  return {};
}

}  // namespace

Status validate_stored(const Config& c) {
  XLB_TRY(stored_settings(c.settings));
  for (const auto& s : c.services) XLB_TRY(stored_service(s));
  Status v = validate(c);
  if (!v) return bad(v.error().message);
  return {};
}

}  // namespace xlb
