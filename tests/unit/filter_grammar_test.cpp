// The filter grammar and model (issue 17) without the kernel: every form
// parses to the rule it says, bad input is refused with a clear message,
// print_ruleset gives back what -f applies, the store's JSON round-trips,
// and the model keeps its limits (drops per prefix, one limit per prefix).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/command.hpp"
#include "config/lexer.hpp"
#include "config/ruleset.hpp"
#include "model/filter.hpp"
#include "model/model_cbor.hpp"

namespace xlb {
namespace {

std::vector<std::string> words(const std::string& line) {
  std::vector<std::string> w;
  size_t i = 0;
  while (i < line.size()) {
    size_t j = line.find(' ', i);
    if (j == std::string::npos) j = line.size();
    if (j > i) w.push_back(line.substr(i, j - i));
    i = j + 1;
  }
  return w;
}

Result<Command> parse(const std::string& line) {
  auto w = words(line);
  return parse_command(w);
}

FilterRule added(const std::string& line) {
  auto c = parse(line);
  EXPECT_TRUE(c.ok()) << line << ": " << (c.ok() ? "" : c.error().message);
  if (!c) return {};
  const auto* add = std::get_if<cmd::FilterAdd>(&*c);
  EXPECT_NE(add, nullptr) << line;
  return add ? add->rule : FilterRule{};
}

std::string refusal(const std::string& line) {
  auto c = parse(line);
  if (c.ok()) return "";
  EXPECT_EQ(c.error().kind, ErrorKind::usage) << line;
  return c.error().message;
}

TEST(FilterGrammar, DropWithDestinationAndProtocol) {
  FilterRule r = added("filter add drop src 203.0.113.0/24 dst 192.0.2.10:80 proto tcp");
  EXPECT_EQ(r.kind, FilterKind::drop);
  EXPECT_EQ(r.src->str(), "203.0.113.0/24");
  EXPECT_EQ(r.dst->str(), "192.0.2.10");
  EXPECT_EQ(r.port, 80);
  EXPECT_EQ(r.proto, FilterProto::tcp);
  EXPECT_EQ(r.words(), "drop src 203.0.113.0/24 dst 192.0.2.10:80 proto tcp");
}

TEST(FilterGrammar, BareAddressIsAHostAndIPv6Works) {
  EXPECT_EQ(added("filter add drop src 198.51.100.7").src->str(), "198.51.100.7/32");
  FilterRule r = added("filter add drop src 2001:db8:bad::/48 dst [2001:db8::10]:443 proto udp");
  EXPECT_EQ(r.src->str(), "2001:db8:bad::/48");
  EXPECT_EQ(r.words(), "drop src 2001:db8:bad::/48 dst [2001:db8::10]:443 proto udp");
  EXPECT_EQ(added("filter add drop src 2001:db8::/32 proto icmp").proto, FilterProto::icmp);
}

TEST(FilterGrammar, HostBitsAreMasked) {
  EXPECT_EQ(added("filter add drop src 203.0.113.77/24").src->str(), "203.0.113.0/24");
}

TEST(FilterGrammar, LimitForms) {
  FilterRule r = added("filter add limit src 198.51.100.0/24 rate 1000 pps burst 50 per /32");
  EXPECT_EQ(r.kind, FilterKind::limit);
  EXPECT_EQ(r.rate, 1000u);
  EXPECT_EQ(r.unit, RateUnit::pps);
  EXPECT_EQ(r.burst, 50u);
  EXPECT_EQ(r.per, 32);
  EXPECT_EQ(r.words(), "limit src 198.51.100.0/24 rate 1000 pps burst 50 per /32");
  FilterRule host6 = added("filter add limit src 2001:db8::/32 rate 10 pps");
  EXPECT_EQ(host6.per_len(true), 64);  // a host by default
  EXPECT_EQ(host6.words(), "limit src 2001:db8::/32 rate 10 pps");
  FilterRule any = added("filter add limit src any rate 8000000 bps per /24");
  EXPECT_FALSE(any.src.has_value());
  EXPECT_EQ(any.unit, RateUnit::bps);
  EXPECT_EQ(any.per_len(false), 24);
  EXPECT_EQ(any.per_len(true), 48);  // the counterpart for IPv6 sources
  EXPECT_EQ(any.words(), "limit src any rate 8000000 bps per /24");
  EXPECT_EQ(added("filter add limit src 2001:db8::/32 rate 10 pps per /48").per_len(true), 48);
}

TEST(FilterGrammar, DefaultBurstIsATenthOfASecond) {
  EXPECT_EQ(added("filter add limit src any rate 1000 pps").effective_burst(), 100u);
  EXPECT_EQ(added("filter add limit src any rate 5 pps").effective_burst(), 1u);
  EXPECT_EQ(added("filter add limit src any rate 1000 bps").effective_burst(), 12000u);
}

TEST(FilterGrammar, BadInputIsRefused) {
  EXPECT_NE(refusal("filter add drop src 10.0.0.0/33"), "");
  EXPECT_NE(refusal("filter add drop src nonsense"), "");
  EXPECT_NE(refusal("filter add drop src any"), "");  // drops name a prefix
  EXPECT_NE(refusal("filter add drop"), "");
  EXPECT_NE(refusal("filter add drop src 10.0.0.0/8 proto sctp"), "");
  EXPECT_NE(refusal("filter add drop src 10.0.0.0/8 dst 2001:db8::1"), "");  // families
  EXPECT_NE(refusal("filter add drop src 10.0.0.0/8 dst 192.0.2.1:53 proto icmp"), "");
  EXPECT_NE(refusal("filter add drop src 10.0.0.0/8 proto tcp proto udp"), "");
  EXPECT_NE(refusal("filter add limit src 10.0.0.0/8"), "");  // no rate
  EXPECT_NE(refusal("filter add limit src 10.0.0.0/8 rate 0 pps"), "");
  EXPECT_NE(refusal("filter add limit src 10.0.0.0/8 rate 10 kpps"), "");
  EXPECT_NE(refusal("filter add limit src 10.0.0.0/8 rate 10 pps per /16"), "");
  EXPECT_NE(refusal("filter add limit src 10.0.0.0/8 rate 10 pps per /64"), "");   // family
  EXPECT_NE(refusal("filter add limit src 10.0.0.0/28 rate 10 pps per /24"), "");  // shorter
  EXPECT_NE(refusal("filter add limit src any rate 10 pps dst 192.0.2.1"), "");
  EXPECT_NE(refusal("filter add reject src 10.0.0.0/8"), "");
  EXPECT_NE(refusal("filter del"), "");
}

TEST(FilterModel, AddDelAndDuplicates) {
  Config c;
  ASSERT_TRUE(apply_edit(c, *parse("filter add drop src 10.0.0.0/8")).ok());
  ASSERT_TRUE(apply_edit(c, *parse("filter add drop src 10.0.0.0/8 proto udp")).ok());
  ASSERT_TRUE(apply_edit(c, *parse("filter add limit src 10.0.0.0/8 rate 5 pps")).ok());
  EXPECT_EQ(c.filters[0].id, 0u);
  EXPECT_EQ(c.filters[2].id, 2u);
  Status dup = apply_edit(c, *parse("filter add drop src 10.0.0.0/8"));
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.error().message.find("exists already"), std::string::npos);
  EXPECT_FALSE(apply_edit(c, *parse("filter add limit src 10.0.0.0/8 rate 9 pps")).ok());
  // A limit by its source only, the rate left out.
  ASSERT_TRUE(apply_edit(c, *parse("filter del limit src 10.0.0.0/8")).ok());
  ASSERT_TRUE(apply_edit(c, *parse("filter del 1")).ok());
  ASSERT_EQ(c.filters.size(), 1u);
  EXPECT_EQ(c.filters[0].words(), "drop src 10.0.0.0/8 proto udp");
  EXPECT_FALSE(apply_edit(c, *parse("filter del 2")).ok());
  EXPECT_FALSE(apply_edit(c, *parse("filter del drop src 10.0.0.0/8")).ok());
  // Ids are reused from the lowest free one.
  ASSERT_TRUE(apply_edit(c, *parse("filter add drop src 192.0.2.0/24")).ok());
  EXPECT_EQ(c.filters[1].id, 0u);
}

TEST(FilterModel, AtMostFourDropsPerPrefixAndOneLimitForAnyAndSlashZero) {
  Config c;
  for (const char* p : {"tcp", "udp", "icmp"})
    ASSERT_TRUE(
        apply_edit(c, *parse(std::string("filter add drop src 10.0.0.0/8 proto ") + p)).ok());
  ASSERT_TRUE(apply_edit(c, *parse("filter add drop src 10.0.0.0/8 dst 192.0.2.1")).ok());
  Status fifth = apply_edit(c, *parse("filter add drop src 10.0.0.0/8 dst 192.0.2.2"));
  ASSERT_FALSE(fifth.ok());
  EXPECT_EQ(c.filters.size(), 4u);  // unchanged
  ASSERT_TRUE(apply_edit(c, *parse("filter add limit src any rate 10 pps")).ok());
  EXPECT_FALSE(apply_edit(c, *parse("filter add limit src ::/0 rate 10 pps")).ok());
}

TEST(FilterRuleset, PrintedBackAndReappliedAndFlushed) {
  const std::string text =
      "flush ruleset\n"
      "filter add drop src 203.0.113.0/24\n"
      "filter add drop src 2001:db8:bad::/48 dst [2001:db8::10]:443 proto tcp\n"
      "filter add limit src any rate 1000 pps burst 100 per /24\n";
  SourceError err;
  auto stmts = lex_text(text, "f.conf", &err);
  ASSERT_TRUE(stmts.ok());
  auto cmds = parse_ruleset(*stmts, &err);
  ASSERT_TRUE(cmds.ok()) << err.message;
  Config c;
  ASSERT_TRUE(apply_ruleset(c, *cmds, &err).ok()) << err.message;
  EXPECT_EQ(print_ruleset(c), text);
  ASSERT_TRUE(apply_edit(c, *parse("flush ruleset")).ok());
  EXPECT_TRUE(c.filters.empty());
}

TEST(FilterStore, CborRoundTripAndOldStores) {
  Config c;
  ASSERT_TRUE(
      apply_edit(c, *parse("filter add drop src 10.0.0.0/8 dst 192.0.2.1:80 proto tcp")).ok());
  ASSERT_TRUE(
      apply_edit(c, *parse("filter add limit src any rate 7 bps burst 99999 per /64")).ok());
  auto back = config_from_cbor(config_to_cbor(c));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->filters, c.filters);
  // A store written before filters has no key: no rules.
  nlohmann::json j = c;
  j.erase("filters");
  auto old = config_from_cbor(nlohmann::json::to_cbor(j));
  ASSERT_TRUE(old.ok());
  EXPECT_TRUE(old->filters.empty());
  // A stored rule the grammar would refuse is refused.
  j = c;
  j["filters"][1]["per"] = 16;
  EXPECT_FALSE(config_from_cbor(nlohmann::json::to_cbor(j)).ok());
  j = c;
  j["filters"][1]["id"] = j["filters"][0]["id"];
  EXPECT_FALSE(config_from_cbor(nlohmann::json::to_cbor(j)).ok());
}

}  // namespace
}  // namespace xlb
