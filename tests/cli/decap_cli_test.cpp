// `xlb decap` through the real binary in a namespace of the test's own:
// attach, idempotent re-attach, ports kept and changed, addresses from the
// namespace and explicit ones, refresh, detach, and the errors (exit codes,
// one line, nothing changed).
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "cli_fixture.hpp"
#include "decap_abi.h"

namespace xlb::test {
namespace {

using nlohmann::json;

class DecapCliTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    netns().ip({"addr", "add", "10.77.0.1/24", "dev", "xa0"});
    netns().ip({"addr", "add", "2001:db8:77::1/64", "dev", "xa0", "nodad"});
  }

  json list() { return xlb_json({"decap", "list"}); }
  static std::set<std::string> addresses(const json& l) {
    std::set<std::string> out;
    for (const auto& a : l["addresses"]) out.insert(a["address"].get<std::string>());
    return out;
  }
  void expect_failure(const Args& args, int status, const std::string& what) {
    RunResult r = xlb(args);
    EXPECT_EQ(r.status, status) << what << ": " << r.describe();
    EXPECT_EQ(r.err.rfind("xlb: error: ", 0), 0u) << what << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << what << ": " << r.err;
  }
  std::string decap_dir() const { return pin_path() + "/decap"; }
};

TEST_F(DecapCliTest, NothingAttachedListsNothing) {
  json l = list();
  EXPECT_TRUE(l["devices"].empty());
  EXPECT_TRUE(l["addresses"].empty());
  for (const auto& [name, value] : l["counters"].items()) EXPECT_EQ(value, 0) << name;
  EXPECT_EQ(l["counters"].size(), static_cast<size_t>(XLB_DC_COUNT));
  expect_failure({"decap", "refresh"}, 1, "refresh with nothing attached");
  expect_failure({"decap", "detach", "xa0"}, 1, "detach with nothing attached");
}

TEST_F(DecapCliTest, AttachReattachAndDetach) {
  xlb_ok({"decap", "attach", "xa0", "mode", "native", "address", "192.0.2.99"});
  json l = list();
  ASSERT_EQ(l["devices"].size(), 1u);
  json d = l["devices"][0];
  EXPECT_EQ(d["name"], "xa0");
  EXPECT_EQ(d["mode"], "native");
  EXPECT_EQ(d["gue_port"], 6080);
  EXPECT_EQ(d["fou_port"], 5555);
  std::set<std::string> addrs = addresses(l);
  for (const char* a : {"10.77.0.1", "2001:db8:77::1", "192.0.2.99"})
    EXPECT_TRUE(addrs.count(a)) << a;
  EXPECT_FALSE(addrs.count("127.0.0.1"));
  EXPECT_FALSE(addrs.count("::1"));

  // Again with a port: the program is replaced through the same link.
  xlb_ok({"decap", "attach", "xa0", "gue-port", "7000"});
  json d2 = list()["devices"][0];
  EXPECT_EQ(d2["link_id"], d["link_id"]);
  EXPECT_NE(d2["prog_id"], d["prog_id"]);
  EXPECT_EQ(d2["gue_port"], 7000);
  // Again without: the ports stay.
  xlb_ok({"decap", "attach", "xa0"});
  EXPECT_EQ(list()["devices"][0]["gue_port"], 7000);
  EXPECT_TRUE(addresses(list()).count("192.0.2.99")) << "the explicit address was lost";

  xlb_ok({"decap", "detach", "xa0"});
  EXPECT_TRUE(list()["devices"].empty());
  EXPECT_FALSE(std::filesystem::exists(decap_dir())) << "pins left behind";
  EXPECT_EQ(netns().link("xa0").count("xdp"), 0u) << "still attached";
}

TEST_F(DecapCliTest, RefreshFollowsTheNamespace) {
  xlb_ok({"decap", "attach", "xa0", "address", "192.0.2.99"});
  netns().ip({"addr", "add", "10.77.1.1/24", "dev", "xa1"});
  EXPECT_FALSE(addresses(list()).count("10.77.1.1"));
  xlb_ok({"decap", "refresh"});
  EXPECT_TRUE(addresses(list()).count("10.77.1.1"));
  netns().ip({"addr", "del", "10.77.0.1/24", "dev", "xa0"});
  xlb_ok({"decap", "refresh"});
  std::set<std::string> addrs = addresses(list());
  EXPECT_FALSE(addrs.count("10.77.0.1")) << "a removed address stayed";
  EXPECT_TRUE(addrs.count("192.0.2.99")) << "the explicit address was lost";
}

TEST_F(DecapCliTest, ErrorsChangeNothing) {
  xlb_ok({"decap", "attach", "xa0", "mode", "native"});
  json before = list();
  expect_failure({"decap", "attach", "xa0", "mode", "generic"}, 1, "mode change");
  expect_failure({"decap", "attach", "nosuch0"}, 1, "no such device");
  expect_failure({"decap", "attach", "xa0", "gue-port", "5555"}, 2, "GUE port = FOU port");
  expect_failure({"decap", "attach", "xa0", "gue-port", "x"}, 2, "bad port");
  expect_failure({"decap", "detach", "xa1"}, 1, "not attached there");
  expect_failure({"decap", "frob"}, 2, "unknown verb");
  json after = list();
  after["counters"] = before["counters"];
  EXPECT_EQ(after, before);
  RunResult r = xlb({"-j", "decap", "attach", "nosuch0"});
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(json::parse(r.out).contains("error")) << r.out;
}

TEST_F(DecapCliTest, DoesNotTakeOverTheLoadBalancersDevice) {
  attach("xa0");  // the datapath
  expect_failure({"decap", "attach", "xa0"}, 1, "a device xlb is attached to");
  EXPECT_TRUE(list()["devices"].empty());
  xlb_ok({"decap", "attach", "xa1"});
  EXPECT_EQ(list()["devices"].size(), 1u);
  EXPECT_EQ(xlb_json({"interface", "list"})["interfaces"].size(), 1u)
      << "the load balancer's attachment changed";
}

}  // namespace
}  // namespace xlb::test
