// A backend whose next hop does not resolve is a warning, not an error; in a
// file it is shown at the `backend add` that added it.
#include <unistd.h>

#include <fstream>

#include "cli_fixture.hpp"

namespace xlb::test {
namespace {

TEST_F(CliTest, UnresolvedNextHopIsWarnedAtItsBackendAddLine) {
  attach("xa0");
  // No route to 10.99.0.0/16 in the test's namespace: ARP is never answered.
  std::string file = "/tmp/xlb-unresolved-x21a-" + std::to_string(getpid()) + ".conf";
  std::ofstream(file) << "service add y tcp 192.0.2.3:80\n"
                         "backend add y 10.99.0.2 mac 02:00:00:00:00:02\n"
                         "# the one without a MAC:\n"
                         "backend add y 10.99.0.1\n";
  RunResult r = xlb({"-f", file});
  unlink(file.c_str());
  EXPECT_EQ(r.status, 0) << r.describe();
  EXPECT_NE(r.err.find(file + ":4:1: warning: backend 10.99.0.1 of service y: next hop unresolved"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("10.99.0.2"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace xlb::test
