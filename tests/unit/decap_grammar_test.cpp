// The grammar of `xlb decap`: what each sentence parses to, and each error
// with the word it blames.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "config/command.hpp"
#include "words.hpp"

namespace xlb {
namespace {

using test::split;

template <class T>
T parse_as(const std::string& line) {
  auto r = parse_command(split(line));
  EXPECT_TRUE(r.ok()) << line << ": " << (r.ok() ? "" : r.error().message);
  if (!r.ok()) return T{};
  EXPECT_TRUE(std::holds_alternative<T>(*r)) << line << " parsed to variant #" << r->index();
  return std::holds_alternative<T>(*r) ? std::get<T>(*r) : T{};
}

TEST(DecapGrammar, AttachWithEveryOption) {
  auto a = parse_as<cmd::DecapAttach>(
      "decap attach eth0 mode generic gue-port 7000 fou-port 7001 address 192.0.2.1 address "
      "2001:db8::1");
  EXPECT_EQ(a.dev, "eth0");
  EXPECT_EQ(a.mode, "generic");
  EXPECT_EQ(a.gue_port, 7000);
  EXPECT_EQ(a.fou_port, 7001);
  ASSERT_EQ(a.addresses.size(), 2u);
  EXPECT_EQ(a.addresses[0].str(), "192.0.2.1");
  EXPECT_EQ(a.addresses[1].str(), "2001:db8::1");
}

TEST(DecapGrammar, AttachDefaultsAndPrefixes) {
  auto a = parse_as<cmd::DecapAttach>("decap att eth1");
  EXPECT_EQ(a.dev, "eth1");
  EXPECT_EQ(a.mode, "");
  EXPECT_FALSE(a.gue_port);
  EXPECT_FALSE(a.fou_port);
  EXPECT_TRUE(a.addresses.empty());
  auto b = parse_as<cmd::DecapAttach>("decap attach eth1 mo nat g 1 f 2");
  EXPECT_EQ(b.mode, "native");
  EXPECT_EQ(b.gue_port, 1);
  EXPECT_EQ(b.fou_port, 2);
}

TEST(DecapGrammar, OtherVerbs) {
  EXPECT_EQ(parse_as<cmd::DecapDetach>("decap detach eth0").dev, "eth0");
  parse_as<cmd::DecapRefresh>("decap refresh");
  parse_as<cmd::DecapList>("decap list");
  parse_as<cmd::DecapList>("decap show");
  parse_as<cmd::DecapList>("decap");
  EXPECT_EQ(parse_as<cmd::Help>("decap help").object, "decap");
}

struct ErrorCase {
  const char* line;
  const char* message;
  int token;
};

const ErrorCase kErrors[] = {
    {"decap frob", "unknown decap command 'frob' (try: xlb decap help)", 1},
    {"decap attach", "missing interface name", 2},
    {"decap attach eth0 mode", "missing mode (native or generic)", 4},
    {"decap attach eth0 mode fast", "invalid mode 'fast' (expected native or generic)", 4},
    {"decap attach eth0 gue-port 0", "invalid gue-port '0' (expected 1..65535)", 4},
    {"decap attach eth0 fou-port 65536", "invalid fou-port '65536' (expected 1..65535)", 4},
    {"decap attach eth0 gue-port 1 gue-port 2", "option 'gue-port' given twice", 5},
    {"decap attach eth0 gue-port 9 fou-port 9", "the GUE and FOU ports must differ", 7},
    {"decap attach eth0 address", "missing address", 4},
    {"decap attach eth0 address x", "invalid address 'x' (expected an IPv4 or IPv6 address)", 4},
    {"decap attach eth0 port 1",
     "unexpected argument 'port' (expected one of: mode, gue-port, fou-port, address)", 3},
    {"decap detach", "missing interface name", 2},
    {"decap detach eth0 eth1", "unexpected argument 'eth1'", 3},
    {"decap refresh now", "unexpected argument 'now'", 2},
    {"decap list all", "unexpected argument 'all'", 2},
};

TEST(DecapGrammar, ErrorsBlameTheRightWord) {
  for (const auto& e : kErrors) {
    auto r = parse_command(split(e.line));
    ASSERT_FALSE(r.ok()) << e.line;
    EXPECT_EQ(r.error().kind, ErrorKind::usage) << e.line;
    EXPECT_EQ(r.error().message, e.message) << e.line;
    EXPECT_EQ(r.error().token, e.token) << e.line;
  }
}

TEST(DecapGrammar, NotAConfigurationEdit) {
  for (const char* line : {"decap attach eth0", "decap detach eth0", "decap refresh", "decap"}) {
    auto r = parse_command(split(line));
    ASSERT_TRUE(r.ok()) << line;
    EXPECT_FALSE(is_config_edit(*r)) << line;
  }
}

}  // namespace
}  // namespace xlb
