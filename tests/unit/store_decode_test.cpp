// The store decoder (issue 20, defects 8 and 10): any blob in the pins gives a
// model or an error, never an exception, a crash or unbounded memory; and a
// model is accepted only when the grammar could have made it.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/lexer.hpp"
#include "config/ruleset.hpp"
#include "model/model_cbor.hpp"

namespace xlb {
namespace {

using nlohmann::json;

Config sample() {
  const char* text =
      "set source4 192.0.2.1\nset nat4 198.18.0.0/16\n"
      "service add web tcp 192.0.2.10:80\n"
      "backend add web 10.0.0.2 mac 02:00:00:00:00:02\nbackend add web 10.0.0.1\n"
      "check add web http path /h host a.example\n";
  SourceError err;
  auto st = lex_text(text, "t.conf", &err);
  auto cmds = parse_ruleset(*st, &err);
  Config c;
  EXPECT_TRUE(apply_ruleset(c, *cmds, &err).ok()) << err.message;
  return c;
}

std::string decode_error(const std::vector<uint8_t>& blob) {
  auto c = config_from_cbor(blob);
  return c ? "" : c.error().message;
}

TEST(StoreDecode, ArrayAnnouncing8e18ElementsIsAnError) {
  const std::vector<uint8_t> blob{0x9b, 0x73, 0x65, 0x21, 0x55, 0x21, 0xf8, 0x62, 0x21};
  EXPECT_EQ(decode_error(blob), "not a stored model: more elements announced than bytes left");
}

TEST(StoreDecode, TwoHundredThousandNestedArraysAreAnError) {
  std::vector<uint8_t> blob(200000, 0x81);
  blob.push_back(0x80);
  EXPECT_EQ(decode_error(blob), "not a stored model: nested too deeply");
}

TEST(StoreDecode, DamagedBlobsAreErrors) {
  const std::vector<uint8_t> good = config_to_cbor(sample());
  // Cut by one byte: whatever the last item is, the blob is refused.
  EXPECT_TRUE(decode_error(std::vector<uint8_t>(good.begin(), good.end() - 1))
                  .starts_with("not a stored model: "));
  std::vector<uint8_t> longer = good;
  longer.push_back(0);
  EXPECT_EQ(decode_error(longer), "not a stored model: bytes after the model");
  EXPECT_EQ(decode_error({0xbf, 0xff}), "not a stored model: indefinite or reserved length");
  EXPECT_EQ(decode_error({0xc1, 0x00}), "not a stored model: a tagged item");
  EXPECT_EQ(decode_error({0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}),
            "not a stored model: a string longer than the blob");
  EXPECT_EQ(decode_error({0xa0}).substr(0, 37), "not a stored model: store: malformed ");
  // Every prefix and every one-byte change: an error or a model, no throw.
  for (size_t n = 0; n < good.size(); n++) {
    (void)config_from_cbor(std::vector<uint8_t>(good.begin(), good.begin() + n));
    std::vector<uint8_t> flipped = good;
    flipped[n] ^= 0xff;
    (void)config_from_cbor(flipped);
  }
}

TEST(StoreDecode, ModelRoundTrips) {
  const Config c = sample();
  auto back = config_from_cbor(config_to_cbor(c));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(print_ruleset(*back), print_ruleset(c));
  EXPECT_EQ(config_to_cbor(*back), config_to_cbor(c));
}

// A model the grammar would refuse, encoded as the store would encode it.
std::string refused(const std::function<void(Config&)>& damage) {
  Config c = sample();
  damage(c);
  return decode_error(config_to_cbor(c));
}

TEST(StoreDecode, RefusesWhatTheGrammarRefuses) {
  EXPECT_EQ(refused([](Config& c) { c.settings.nat4 = IpPrefix::parse("fd00::/64"); }),
            "not a stored model: nat4 fd00::/64 is not a usable range");
  EXPECT_EQ(refused([](Config& c) { c.settings.source6 = IpAddr::parse("192.0.2.1"); }),
            "not a stored model: source6 192.0.2.1 of the wrong family");
  EXPECT_EQ(refused([](Config& c) { c.services[0].backends[1].mac = MacAddr{}; }),
            "not a stored model: backend 10.0.0.2 of web with MAC 00:00:00:00:00:00");
  EXPECT_EQ(refused([](Config& c) { c.services[0].name = "tcp"; }),
            "not a stored model: a service named 'tcp'");
  EXPECT_EQ(
      refused([](Config& c) { std::swap(c.services[0].backends[0], c.services[0].backends[1]); }),
      "not a stored model: backends of web out of order");
  EXPECT_EQ(refused([](Config& c) { c.services[0].checks[0].host = "a\xff"; }),
            "not a stored model: a string that is not UTF-8");
  EXPECT_EQ(refused([](Config& c) { c.services[0].checks[0].path = "/\x01"; }),
            "not a stored model: http check of service web: path: control character 0x01");
  // Found by the fuzz smoke: an interval the grammar cannot read back.
  EXPECT_EQ(refused([](Config& c) { c.services[0].checks[0].interval_ms = 4294962295U; }),
            "not a stored model: http check of service web: interval and timeout must be "
            "1ms..1h");
  EXPECT_EQ(refused([](Config& c) { c.services[0].checks[0].timeout_ms = 0; }),
            "not a stored model: http check of service web: interval and timeout must be "
            "1ms..1h");
}

TEST(StoreDecode, BinaryStringsAreRefused) {
  json j = sample();
  j["services"][0]["name"] = json::binary({'w', 'e', 'b'});
  const std::string e = decode_error(json::to_cbor(j));
  EXPECT_EQ(e.substr(0, 37), "not a stored model: store: malformed ") << e;
}

TEST(StoreDecode, UnknownBackendStatesAreRefused) {
  json j = sample();
  j["services"][0]["backends"][0]["admin"] = "maybe";
  EXPECT_EQ(decode_error(json::to_cbor(j)),
            "not a stored model: store: bad state of backend 10.0.0.1");
}

// The decoder reads the blob in place (model/cbor_view.hpp); nlohmann's tree
// decoder with the same mapping is the reference. Both see every field set,
// the optional keys absent, and every one-byte change of the blob.
Result<Config> reference_decode(const std::vector<uint8_t>& blob) {
  Status well_formed = check_cbor(blob);
  if (!well_formed) return well_formed.error();
  json j = json::from_cbor(blob, true, false);
  if (j.is_discarded()) return runtime_error("not valid CBOR");
  auto c = config_from_json(j);
  if (!c) return c;
  Status v = validate_stored(*c);
  if (!v) return v.error();
  return c;
}

void expect_same_decoding(const std::vector<uint8_t>& blob) {
  auto fast = config_from_cbor(blob);
  auto ref = reference_decode(blob);
  ASSERT_EQ(fast.ok(), ref.ok()) << (fast ? ref.error().message : fast.error().message);
  if (fast) {
    EXPECT_EQ(config_to_cbor(*fast), config_to_cbor(*ref));
  }
}

// config_to_cbor writes the bulk straight (model/cbor_out.hpp); nlohmann's
// to_cbor of the JSON form is the reference, byte for byte.
TEST(StoreDecode, DirectEncoderWritesWhatToCborWrites) {
  Config c = sample();
  SourceError err;
  auto st = lex_text(
      "set source6 2001:db8::1\nset gateway4 192.0.2.254\nset nat6 fd00:1::/64\n"
      "service add m6 udp [2001:db8::10]:53,5353,6000-6099 sched sh ring 65537\n"
      "backend add m6 2001:db8::2 mac 02:00:00:00:00:09 weight 300\n"
      "filter add drop src 203.0.113.0/24 dst 192.0.2.10:80 proto tcp\n",
      "t.conf", &err);
  ASSERT_TRUE(st) << err.message;
  auto cmds = parse_ruleset(*st, &err);
  ASSERT_TRUE(cmds) << err.message;
  ASSERT_TRUE(apply_ruleset(c, *cmds, &err).ok()) << err.message;
  Backend& b = c.services[0].backends[0];
  b.dev = "eth1";
  b.vlan = 4094;
  b.priority = 70000;
  b.effective_weight = 150;
  b.cookie = 0xfffffff0;
  c.next_cookie = 1u << 31;
  c.services[0].persist = 300;
  EXPECT_EQ(config_to_cbor(c), json::to_cbor(json(c)));
  EXPECT_EQ(config_to_cbor(Config{}), json::to_cbor(json(Config{})));
}

TEST(StoreDecode, InPlaceDecoderAgreesWithTheTreeDecoder) {
  Config c = sample();
  c.next_cookie = 77;
  c.settings.flow_guard = 123;
  c.settings.timeouts.udp = 99;
  Backend& b = c.services[0].backends[0];
  b.dev = "eth1";
  b.vlan = 42;
  b.priority = 2;
  b.admin = Admin::disabled;
  b.health = Health::down;
  b.unresolved = true;
  b.weight = 7;
  c.services[0].need = 2;
  c.services[0].panic = 30;
  c.services[0].panics = 4;
  const std::vector<uint8_t> blob = config_to_cbor(c);
  auto back = config_from_cbor(blob);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(config_to_cbor(*back), blob);
  expect_same_decoding(blob);
  json old = c;  // a store written before the optional keys existed
  for (const char* k : {"dev", "vlan", "priority", "unresolved"})
    old["services"][0]["backends"][0].erase(k);
  for (const char* k : {"need", "panic", "panics", "checks", "forward_port"})
    old["services"][0].erase(k);
  old["settings"].erase("timeouts");
  old["settings"].erase("flow_guard");
  expect_same_decoding(json::to_cbor(old));
  for (size_t n = 0; n < blob.size(); n++) {
    std::vector<uint8_t> flipped = blob;
    flipped[n] ^= 0x21;
    expect_same_decoding(flipped);
  }
}

}  // namespace
}  // namespace xlb
