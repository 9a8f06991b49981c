// The flow sync wire format: round trips, authentication, hostile input.
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <random>

#include "sync/wire.hpp"

namespace xlb::sync {
namespace {

Key key(const char* k = "0123456789abcdef-shared") { return *Key::from_bytes(k); }

FlowRecord record(uint8_t last, bool v6 = false) {
  FlowRecord r;
  r.key.family = v6 ? XLB_AF_INET6 : XLB_AF_INET;
  r.key.proto = IPPROTO_TCP;
  r.key.src.b[0] = 100;
  r.key.src.b[3] = last;
  r.key.dst.b[0] = 192;
  r.key.dst.b[3] = 10;
  if (v6) r.key.src.b[15] = 1;
  r.key.sport = htons(1024 + last);
  r.key.dport = htons(80);
  r.svc_port = 80;
  r.backend = *IpAddr::parse(v6 ? "2001:db8::5" : "10.0.0.5");
  r.flags = XLB_FLOW_SYN_ONLY;
  r.age = last;
  return r;
}

TEST(SyncWire, ManyFlowsRoundTrip) {
  std::vector<FlowRecord> flows;
  for (uint8_t i = 0; i < kDefaultBatch; i++) flows.push_back(record(i, i % 2));
  const Header h{MsgType::flows, 42, 1234567890123ull};
  auto bytes = encode(key(), h, flows);
  EXPECT_EQ(bytes.size(), kHeaderBytes + flows.size() * kRecordBytes + kTagBytes);
  EXPECT_LE(bytes.size(), 1452u);  // one datagram in a 1500 MTU, over IPv6
  Decoded d = decode(key(), bytes);
  ASSERT_EQ(d.reject, Reject::none);
  EXPECT_EQ(d.datagram.header.sender, 42u);
  EXPECT_EQ(d.datagram.header.seq, 1234567890123ull);
  EXPECT_EQ(d.datagram.header.type, MsgType::flows);
  EXPECT_EQ(d.datagram.flows, flows);
}

TEST(SyncWire, BulkRequestRoundTrips) {
  auto bytes = encode(key(), Header{MsgType::bulk_request, 1, 2}, {});
  Decoded d = decode(key(), bytes);
  ASSERT_EQ(d.reject, Reject::none);
  EXPECT_EQ(d.datagram.header.type, MsgType::bulk_request);
  EXPECT_TRUE(d.datagram.flows.empty());
}

TEST(SyncWire, WrongKeyIsABadTag) {
  std::vector<FlowRecord> flows{record(1)};
  auto bytes = encode(key("another key, 16+ bytes"), Header{MsgType::flows, 1, 1}, flows);
  EXPECT_EQ(decode(key(), bytes).reject, Reject::bad_tag);
}

TEST(SyncWire, AnyFlippedBitIsRejected) {
  std::vector<FlowRecord> flows{record(1), record(2, true)};
  const auto good = encode(key(), Header{MsgType::flows, 1, 1}, flows);
  for (size_t i = 0; i < good.size() * 8; i++) {
    auto bad = good;
    bad[i / 8] ^= uint8_t(1u << (i % 8));
    EXPECT_NE(decode(key(), bad).reject, Reject::none) << "bit " << i;
  }
}

TEST(SyncWire, TruncatedAndPaddedAreMalformed) {
  const auto good = encode(key(), Header{MsgType::flows, 1, 1}, std::vector{record(1)});
  for (size_t n = 0; n < good.size(); n++)
    EXPECT_EQ(decode(key(), std::span(good).first(n)).reject, Reject::malformed) << n;
  auto longer = good;
  longer.push_back(0);
  EXPECT_EQ(decode(key(), longer).reject, Reject::malformed);
}

// Authenticated, but not what a syncd writes: still refused, never trusted.
TEST(SyncWire, SignedNonsenseIsMalformed) {
  auto body = encode(key(), Header{MsgType::flows, 1, 1}, std::vector{record(1)});
  body.resize(body.size() - kTagBytes);
  auto with = [&](size_t at, uint8_t v) {
    auto b = body;
    b[at] = v;
    return decode(key(), append_tag(key(), b)).reject;
  };
  EXPECT_EQ(with(4, 2), Reject::malformed);                  // version
  EXPECT_EQ(with(5, 9), Reject::malformed);                  // type
  EXPECT_EQ(with(7, 2), Reject::malformed);                  // count
  EXPECT_EQ(with(kHeaderBytes, 7), Reject::malformed);       // family
  EXPECT_EQ(with(kHeaderBytes + 1, 1), Reject::malformed);   // ICMP
  EXPECT_EQ(with(kHeaderBytes + 3, 0), Reject::malformed);   // backend family
  EXPECT_EQ(with(kHeaderBytes + 20, 1), Reject::malformed);  // junk after an IPv4 client
  EXPECT_EQ(with(kHeaderBytes + 1, 17), Reject::none);       // UDP is fine
}

TEST(SyncWire, RandomBytesNeverDecode) {
  std::mt19937 rng(1);
  for (int i = 0; i < 2000; i++) {
    std::vector<uint8_t> b(rng() % 200);
    for (auto& x : b) x = static_cast<uint8_t>(rng());
    if (b.size() >= 4) std::copy_n("XLBS", 4, b.begin());
    EXPECT_NE(decode(key(), b).reject, Reject::none);
    EXPECT_NE(decode(key(), append_tag(key(), b)).reject, Reject::bad_tag);
  }
}

TEST(SyncWire, ShortKeysAreRefused) {
  EXPECT_FALSE(Key::from_bytes("short").ok());
  EXPECT_FALSE(Key::from_bytes("fifteen bytes..\n\n").ok());
  auto k = Key::from_bytes("sixteen bytes ok\n");
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->bytes(), "sixteen bytes ok");
}

}  // namespace
}  // namespace xlb::sync
