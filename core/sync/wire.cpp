#include "sync/wire.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstring>

#include "base/file.hpp"

namespace xlb::sync {

namespace {

constexpr uint8_t kMagic[4] = {'X', 'L', 'B', 'S'};

void put16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(v >> 8);
  out.push_back(v & 0xff);
}

void put32(std::vector<uint8_t>& out, uint32_t v) {
  put16(out, v >> 16);
  put16(out, v & 0xffff);
}

void put64(std::vector<uint8_t>& out, uint64_t v) {
  put32(out, v >> 32);
  put32(out, v & 0xffffffffu);
}

uint64_t get(std::span<const uint8_t> in, size_t at, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; i++) v = (v << 8) | in[at + i];
  return v;
}

void put_addr(std::vector<uint8_t>& out, const uint8_t* a) { out.insert(out.end(), a, a + 16); }

// Ports travel in network order, as the key holds them: copied as bytes.
void put_port(std::vector<uint8_t>& out, uint16_t be) {
  const auto* p = reinterpret_cast<const uint8_t*>(&be);
  out.push_back(p[0]);
  out.push_back(p[1]);
}

void put_record(std::vector<uint8_t>& out, const FlowRecord& r) {
  out.push_back(r.key.family);
  out.push_back(r.key.proto);
  out.push_back(r.flags);
  out.push_back(static_cast<uint8_t>(r.backend.family));
  put_port(out, r.key.sport);
  put_port(out, r.key.dport);
  put16(out, r.svc_port);
  put16(out, r.age);
  put_addr(out, r.key.src.b);
  put_addr(out, r.key.dst.b);
  put_addr(out, r.backend.bytes.data());
}

std::array<uint8_t, kTagBytes> tag(const Key& key, std::span<const uint8_t> data) {
  std::array<uint8_t, kTagBytes> out{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.bytes().data(), static_cast<int>(key.bytes().size()), data.data(),
       data.size(), out.data(), &len);
  return out;
}

bool valid_family(uint8_t f) { return f == XLB_AF_INET || f == XLB_AF_INET6; }

// An IPv4 address carries zeros after its first four bytes (xlb_addr).
bool valid_addr(uint8_t family, std::span<const uint8_t> a) {
  if (family == XLB_AF_INET6) return true;
  for (size_t i = 4; i < 16; i++)
    if (a[i] != 0) return false;
  return true;
}

bool read_record(std::span<const uint8_t> in, FlowRecord& r) {
  const uint8_t fam = in[0], be_fam = in[3];
  if (!valid_family(fam) || !valid_family(be_fam)) return false;
  if (in[1] != 6 && in[1] != 17) return false;  // TCP, UDP: what services serve
  if (!valid_addr(fam, in.subspan(12, 16)) || !valid_addr(fam, in.subspan(28, 16)) ||
      !valid_addr(be_fam, in.subspan(44, 16)))
    return false;
  r.key = xlb_flow_key{};
  r.key.family = fam;
  r.key.proto = in[1];
  r.flags = in[2] & XLB_FLOW_SYN_ONLY;
  std::memcpy(&r.key.sport, &in[4], 2);
  std::memcpy(&r.key.dport, &in[6], 2);
  r.svc_port = static_cast<uint16_t>(get(in, 8, 2));
  r.age = static_cast<uint16_t>(get(in, 10, 2));
  std::memcpy(r.key.src.b, &in[12], 16);
  std::memcpy(r.key.dst.b, &in[28], 16);
  r.backend.family = be_fam;
  std::memcpy(r.backend.bytes.data(), &in[44], 16);
  return true;
}

}  // namespace

bool FlowRecord::operator==(const FlowRecord& o) const {
  return std::memcmp(&key, &o.key, sizeof(key)) == 0 && svc_port == o.svc_port &&
         backend == o.backend && flags == o.flags && age == o.age;
}

Result<Key> Key::from_bytes(std::string bytes) {
  while (!bytes.empty() && std::isspace(static_cast<unsigned char>(bytes.back()))) bytes.pop_back();
  if (bytes.size() < 16) return runtime_error("the sync key must be at least 16 bytes");
  return Key(std::move(bytes));
}

Result<Key> Key::load(const std::string& path) {
  auto text = read_input_file(path, 4096);
  if (!text) return text.error();
  auto k = from_bytes(std::move(*text));
  if (!k) return runtime_error(path + ": " + k.error().message);
  return k;
}

std::vector<uint8_t> encode(const Key& key, const Header& h, std::span<const FlowRecord> flows) {
  std::vector<uint8_t> out;
  out.reserve(kHeaderBytes + flows.size() * kRecordBytes + kTagBytes);
  out.insert(out.end(), kMagic, kMagic + 4);
  out.push_back(kVersion);
  out.push_back(static_cast<uint8_t>(h.type));
  put16(out, static_cast<uint16_t>(flows.size()));
  put32(out, h.sender);
  put64(out, h.seq);
  for (const auto& r : flows) put_record(out, r);
  return append_tag(key, out);
}

std::vector<uint8_t> append_tag(const Key& key, std::span<const uint8_t> body) {
  std::vector<uint8_t> out(body.begin(), body.end());
  const auto t = tag(key, body);
  out.insert(out.end(), t.begin(), t.end());
  return out;
}

Decoded decode(const Key& key, std::span<const uint8_t> in) {
  Decoded d;
  d.reject = Reject::malformed;
  if (in.size() < kHeaderBytes + kTagBytes || std::memcmp(in.data(), kMagic, 4) != 0 ||
      in[4] != kVersion)
    return d;
  const size_t count = get(in, 6, 2);
  if (in.size() != kHeaderBytes + count * kRecordBytes + kTagBytes) return d;
  const auto body = in.first(in.size() - kTagBytes);
  const auto t = tag(key, body);
  if (CRYPTO_memcmp(t.data(), in.data() + body.size(), kTagBytes) != 0) {
    d.reject = Reject::bad_tag;
    return d;
  }
  const uint8_t type = in[5];
  if (type != uint8_t(MsgType::flows) && type != uint8_t(MsgType::bulk_request)) return d;
  if (type == uint8_t(MsgType::bulk_request) && count != 0) return d;
  d.datagram.header = {MsgType(type), static_cast<uint32_t>(get(in, 8, 4)), get(in, 12, 8)};
  d.datagram.flows.resize(count);
  for (size_t i = 0; i < count; i++)
    if (!read_record(body.subspan(kHeaderBytes + i * kRecordBytes, kRecordBytes),
                     d.datagram.flows[i]))
      return Decoded{Reject::malformed, {}};
  d.reject = Reject::none;
  return d;
}

}  // namespace xlb::sync
