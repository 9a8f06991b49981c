// `interface attach` over maps that exist, and `interface list` from another
// network namespace than the one the datapath was attached in.
#include <sys/stat.h>

#include "cli_fixture.hpp"

namespace xlb::test {

namespace {

using nlohmann::json;

class AttachCliTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    attach("xa0");  // services 16, backends 512, flows 4096
  }

  // xlb run in another namespace than the fixture's, on the same pins.
  RunResult xlb_in(const Netns& ns, const Args& args) const {
    Args argv{"nsenter", "--net=" + ns.path(), XLB_BINARY, "--pin-path", pin_path()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_program(argv);
  }

  json caps() { return xlb_json({"interface", "list"})["capacities"]; }
};

TEST_F(AttachCliTest, OtherCapacitiesAreRefusedWithTheSizesTheMapsHave) {
  json before = xlb_json({"interface", "list"});
  RunResult r = xlb({"interface", "attach", "xa0", "flows", "8192"});
  EXPECT_EQ(r.status, 2) << r.describe();
  EXPECT_EQ(r.err.rfind("xlb: error: ", 0), 0u) << r.err;
  for (const char* want : {"services 16, backends 512, flows 4096", "flows 8192",
                           "detach every interface", pin_path().c_str()})
    EXPECT_NE(r.err.find(want), std::string::npos) << want << " not in: " << r.err;
  EXPECT_EQ(xlb_json({"interface", "list"}), before) << "a refused attach changed something";
  // A second interface may not ask for other sizes either.
  netns().add_veth("xb0", "xb1");
  r = xlb({"interface", "attach", "xb0", "services", "32", "backends", "512"});
  EXPECT_EQ(r.status, 2) << r.describe();
  EXPECT_NE(r.err.find("services 32 (they hold 16)"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("backends 512 ("), std::string::npos) << "512 is what they hold: " << r.err;
  EXPECT_FALSE(netns().link("xb0").contains("xdp"));
  EXPECT_EQ(xlb_json({"interface", "list"}), before);
}

TEST_F(AttachCliTest, TheSameOrNoCapacitiesReattach) {
  RunResult r = xlb({"interface", "attach", "xa0", "services", "16", "flows", "4096"});
  EXPECT_EQ(r.status, 0) << r.describe();
  r = xlb({"interface", "attach", "xa0"});
  EXPECT_EQ(r.status, 0) << r.describe();
  netns().add_veth("xb0", "xb1");
  r = xlb({"interface", "attach", "xb0", "backends", "512"});
  EXPECT_EQ(r.status, 0) << r.describe();
  EXPECT_EQ(caps()["flows"], 4096);
  EXPECT_EQ(caps()["services"], 16);
}

// From another namespace the ifindex names another interface (there made
// to collide on purpose): the list shows the name recorded at attach, marked.
TEST_F(AttachCliTest, ListFromAnotherNetnsNamesTheAttachedInterface) {
  const int idx = ifindex("xa0");
  Netns other;
  ASSERT_TRUE(other.ok()) << other.error();
  other.ip(
      {"link", "add", "yb0", "index", std::to_string(idx), "type", "veth", "peer", "name", "yb1"});
  other.ip({"link", "set", "yb0", "up"});

  RunResult r = xlb_in(other, {"-j", "interface", "list"});
  ASSERT_EQ(r.status, 0) << r.describe();
  json a = json::parse(r.out)["interfaces"].at(0);
  EXPECT_EQ(a["name"], "xa0") << a.dump();
  EXPECT_EQ(a["ifindex"], idx);
  EXPECT_EQ(a["other_netns"], true);
  EXPECT_EQ(a["mode"], "unknown");
  r = xlb_in(other, {"interface", "list"});
  EXPECT_NE(r.out.find("xa0 (other netns)"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("yb0"), std::string::npos) << r.out;

  // From its own namespace: the name, not marked, and the same netns id.
  json here = xlb_json({"interface", "list"})["interfaces"].at(0);
  EXPECT_EQ(here["name"], "xa0");
  EXPECT_EQ(here["other_netns"], false);
  EXPECT_EQ(here["mode"], "native");
  EXPECT_EQ(here["netns"], a["netns"]);
  EXPECT_GT(here["netns"].get<uint64_t>(), 0u);

  // Attaching the colliding ifindex from there would take over xa0's link.
  r = xlb_in(other, {"interface", "attach", "yb0"});
  EXPECT_EQ(r.status, 1) << r.describe();
  EXPECT_NE(r.err.find("another network namespace (interface xa0)"), std::string::npos) << r.err;
  EXPECT_EQ(xlb_json({"interface", "list"})["interfaces"].at(0)["prog_id"], here["prog_id"]);
}

TEST_F(AttachCliTest, DetachForgetsTheRecordedPlace) {
  std::string prefix = pin_path() + "/place_" + std::to_string(ifindex("xa0")) + "_";
  json here = xlb_json({"interface", "list"})["interfaces"].at(0);
  std::string place = prefix + std::to_string(here["netns"].get<uint64_t>()) + "_xa0";
  struct stat sb {};
  EXPECT_EQ(stat(place.c_str(), &sb), 0) << place;
  xlb_ok({"interface", "detach", "xa0"});
  EXPECT_NE(stat(place.c_str(), &sb), 0) << place << " is left behind";
}

}  // namespace

}  // namespace xlb::test
