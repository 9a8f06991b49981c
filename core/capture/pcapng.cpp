#include "capture/pcapng.hpp"

#include <algorithm>

namespace xlb::pcapng {

namespace {

constexpr uint32_t kShb = 0x0A0D0D0A;
constexpr uint32_t kIdb = 0x00000001;
constexpr uint32_t kEpb = 0x00000006;
constexpr uint16_t kOptEnd = 0, kOptComment = 1;
constexpr uint16_t kShbUserAppl = 4, kIfName = 2, kIfTsresol = 9;
constexpr uint16_t kLinkEthernet = 1;

// Blocks are written in the host's byte order: the section header's
// byte-order magic tells readers which one.
void put16(Bytes& b, uint16_t v) {
  auto* p = reinterpret_cast<const uint8_t*>(&v);
  b.insert(b.end(), p, p + 2);
}
void put32(Bytes& b, uint32_t v) {
  auto* p = reinterpret_cast<const uint8_t*>(&v);
  b.insert(b.end(), p, p + 4);
}
void pad32(Bytes& b) {
  while (b.size() % 4) b.push_back(0);
}

void option(Bytes& b, uint16_t code, std::span<const uint8_t> value) {
  put16(b, code);
  put16(b, static_cast<uint16_t>(value.size()));
  b.insert(b.end(), value.begin(), value.end());
  pad32(b);
}
void option(Bytes& b, uint16_t code, const std::string& text) {
  option(b, code, std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}
void end_of_options(Bytes& b) {
  put16(b, kOptEnd);
  put16(b, 0);
}

// Wraps a body into a block: type, total length, body, total length.
Bytes block(uint32_t type, const Bytes& body) {
  Bytes b;
  const auto total = static_cast<uint32_t>(12 + body.size());
  put32(b, type);
  put32(b, total);
  b.insert(b.end(), body.begin(), body.end());
  put32(b, total);
  return b;
}

// An option's value is at most 65535 bytes; a longer comment is cut.
std::string bounded(const std::string& s) { return s.substr(0, 65535); }

}  // namespace

Bytes section_header(const std::string& application) {
  Bytes body;
  put32(body, 0x1A2B3C4D);  // byte-order magic
  put16(body, 1);           // major version
  put16(body, 0);           // minor version
  put32(body, 0xFFFFFFFF);  // section length: not given
  put32(body, 0xFFFFFFFF);
  option(body, kShbUserAppl, bounded(application));
  end_of_options(body);
  return block(kShb, body);
}

Bytes interface_description(const std::string& name, uint32_t snaplen) {
  Bytes body;
  put16(body, kLinkEthernet);
  put16(body, 0);  // reserved
  put32(body, snaplen);
  option(body, kIfName, bounded(name));
  const uint8_t nanoseconds = 9;
  option(body, kIfTsresol, std::span(&nanoseconds, 1));
  end_of_options(body);
  return block(kIdb, body);
}

Bytes enhanced_packet(const Packet& p) {
  Bytes body;
  put32(body, p.interface);
  put32(body, static_cast<uint32_t>(p.ts_ns >> 32));
  put32(body, static_cast<uint32_t>(p.ts_ns));
  put32(body, static_cast<uint32_t>(p.data.size()));
  put32(body, std::max<uint32_t>(p.wire_len, static_cast<uint32_t>(p.data.size())));
  body.insert(body.end(), p.data.begin(), p.data.end());
  pad32(body);
  if (!p.comment.empty()) {
    option(body, kOptComment, bounded(p.comment));
    end_of_options(body);
  }
  return block(kEpb, body);
}

}  // namespace xlb::pcapng
