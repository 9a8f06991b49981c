// The grammar's help for the mistakes operators make (issue 19): aliases
// count as one verb for prefixes, "did you mean" for near misses, a
// backend written with a port, a ring size that is not a prime.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "config/command.hpp"
#include "config/suggest.hpp"
#include "words.hpp"

namespace xlb {
namespace {

using test::split;

std::string error_of(const std::string& line) {
  auto r = parse_command(split(line));
  EXPECT_FALSE(r.ok()) << line;
  return r.ok() ? "" : r.error().message;
}

TEST(Hints, AliasesAreOneVerbForPrefixes) {
  // del and delete are one verb: `d` and `de` are it, not ambiguous.
  for (const char* line :
       {"se d web", "service de web", "backend de web 192.0.2.1", "check d web"}) {
    auto r = parse_command(split(line));
    ASSERT_TRUE(r.ok()) << line << ": " << r.error().message;
  }
  EXPECT_TRUE(std::holds_alternative<cmd::ServiceDel>(*parse_command(split("se d web"))));
  EXPECT_TRUE(std::holds_alternative<cmd::BackendDel>(*parse_command(split("b de web 192.0.2.1"))));
  // Different verbs stay ambiguous: backend `d` is del, disable or drain.
  EXPECT_FALSE(parse_command(split("backend d web 192.0.2.1")).ok());
  EXPECT_TRUE(
      std::holds_alternative<cmd::BackendAdmin>(*parse_command(split("b di web 192.0.2.1"))));
}

TEST(Hints, DidYouMean) {
  EXPECT_EQ(error_of("service dle web"),
            "unknown service command 'dle' (did you mean 'del'?) (try: xlb service help)");
  EXPECT_EQ(error_of("backend enabel web 192.0.2.1"),
            "unknown backend command 'enabel' (did you mean 'enable'?) (try: xlb backend help)");
  EXPECT_EQ(error_of("servcie list"),
            "unknown object 'servcie' (did you mean 'service'?) (try: xlb help)");
  // Nothing near: no guess.
  EXPECT_EQ(error_of("service zzz"), "unknown service command 'zzz' (try: xlb service help)");
  EXPECT_EQ(nearest_word("lst", std::vector<const char*>{"list", "show"}), "list");
  EXPECT_EQ(nearest_word("x", std::vector<const char*>{"list", "show"}), "");
}

TEST(Hints, BackendWithAPort) {
  EXPECT_EQ(error_of("backend add web 198.51.100.3:80"),
            "a backend has no port: '198.51.100.3:80' (write 198.51.100.3; the backend receives "
            "the service's port, as with direct return)");
  EXPECT_NE(error_of("backend add web [2001:db8::3]:80").find("(write 2001:db8::3;"),
            std::string::npos);
}

TEST(Hints, RingNotPrime) {
  EXPECT_EQ(error_of("service add web tcp 192.0.2.1:80 ring 65536"),
            "ring size 65536 is not a prime (nearest: 65521 or 65537)");
  EXPECT_EQ(error_of("service add web tcp 192.0.2.1:80 ring 8"),
            "ring size 8 is not a prime (nearest: 7 or 11)");
}

}  // namespace
}  // namespace xlb
