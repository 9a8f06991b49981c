// The flow sync wire format: one UDP datagram carries many flows.
//
//   header (20 bytes, network order)
//     magic "XLBS" | version u8 | type u8 | count u16 | sender u32 | seq u64
//   count records (60 bytes each)
//     family u8 | proto u8 | flags u8 | be_family u8 | sport u16 | dport u16
//     svc_port u16 | age u16 | client[16] | vip[16] | backend[16]
//   tag: HMAC-SHA256 over everything before it, with the shared key (32 bytes)
//
// A flow names its backend by what every load balancer agrees on: the
// service (VIP, protocol, port) and the backend's address, never a local id.
// `age` is the seconds since the flow's last packet (the hosts' monotonic
// clocks differ). A bulk request is a header and tag without records.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/addr.hpp"
#include "base/result.hpp"
#include "xlb_abi.h"

namespace xlb::sync {

inline constexpr uint8_t kVersion = 1;
inline constexpr uint16_t kDefaultPort = 8848;  // IPVS's sync daemon's
inline constexpr size_t kHeaderBytes = 20;
inline constexpr size_t kRecordBytes = 60;
inline constexpr size_t kTagBytes = 32;
// Records that fit a 1500-byte MTU's UDP payload over IPv6 (1452 bytes).
inline constexpr size_t kDefaultBatch = 22;
inline constexpr size_t kMaxBatch = (65507 - kHeaderBytes - kTagBytes) / kRecordBytes;

enum class MsgType : uint8_t { flows = 1, bulk_request = 2 };

struct FlowRecord {
  xlb_flow_key key{};     // as the datapath keys it (ports in network order)
  uint16_t svc_port = 0;  // the service's port (host order); 0: every port
  IpAddr backend;
  uint8_t flags = 0;  // XLB_FLOW_*
  uint16_t age = 0;   // seconds since the last packet
  bool operator==(const FlowRecord& o) const;
};

struct Header {
  MsgType type = MsgType::flows;
  uint32_t sender = 0;  // the sending syncd's id
  uint64_t seq = 0;     // strictly increasing per sender
};

struct Datagram {
  Header header;
  std::vector<FlowRecord> flows;
};

// The shared secret, read from a file (at least 16 bytes; whitespace at the
// end is ignored, so `head -c 32 /dev/urandom | base64 > key` works).
class Key {
 public:
  static Result<Key> load(const std::string& path);
  static Result<Key> from_bytes(std::string bytes);
  const std::string& bytes() const { return bytes_; }

 private:
  explicit Key(std::string b) : bytes_(std::move(b)) {}
  std::string bytes_;
};

std::vector<uint8_t> encode(const Key& key, const Header& h, std::span<const FlowRecord> flows);

// `body` followed by its tag: encode()'s last step, for tests and the fuzz
// harness to build authenticated datagrams of any content.
std::vector<uint8_t> append_tag(const Key& key, std::span<const uint8_t> body);

enum class Reject : uint8_t { none, malformed, bad_tag };
struct Decoded {
  Reject reject = Reject::none;
  Datagram datagram;
};
// Never trusts the input: wrong sizes, versions, types, counts, families or
// tags are rejected, never read past.
Decoded decode(const Key& key, std::span<const uint8_t> bytes);

}  // namespace xlb::sync
