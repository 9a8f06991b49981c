// What the commands do to packets: the program attached by `xlb interface
// attach` is fetched from its pinned link and fed crafted frames with
// BPF_PROG_TEST_RUN, while every change goes through the real binary.
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <sys/stat.h>

#include <map>
#include <set>

#include "cli_fixture.hpp"

namespace xlb::test {

namespace {

using nlohmann::json;

constexpr const char* kVip = "192.0.2.10";
constexpr const char* kVip2 = "192.0.2.11";
const std::map<std::string, std::string> kBackends = {{"10.0.0.1", "02:be:00:00:00:01"},
                                                      {"10.0.0.2", "02:be:00:00:00:02"},
                                                      {"10.0.0.3", "02:be:00:00:00:03"},
                                                      {"10.0.0.4", "02:be:00:00:00:04"}};

// Client i of a test: a distinct address and source port.
std::string client(int i) { return "198.51.100." + std::to_string(i % 250 + 1); }
uint16_t sport(int i) { return static_cast<uint16_t>(20000 + i); }

std::string backend_of_mac(const MacAddr& m) {
  for (const auto& [addr, mac] : kBackends)
    if (m == *MacAddr::parse(mac)) return addr;
  return "unknown MAC " + m.str();
}

class DatapathCliTest : public CliTest {
 protected:
  // Attached to xa0; service web (tcp VIP:80) with backends .1 .2 .3.
  void SetUp() override {
    CliTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    attach("xa0");
    xlb_ok({"service", "add", "web", "tcp", std::string(kVip) + ":80", "ring", "1021"});
    for (const char* a : {"10.0.0.1", "10.0.0.2", "10.0.0.3"})
      xlb_ok({"backend", "add", "web", a, "mac", kBackends.at(a)});
    prog_ = attached_prog_fd("xa0");
    ASSERT_GE(prog_, 0);
    iface_mac_ = link_mac("xa0");
  }

  // Sends one packet of client i to vip:80 through `prog` and returns the
  // backend it was sent to ("" when not sent with XDP_TX).
  std::string send(int i, uint8_t flags = kTcpAck, const char* vip = kVip, int prog = -1) {
    Bytes in = tcp_frame(client(i), sport(i), vip, 80, flags);
    sent_bytes_ += in.size();
    TestRunOutput out = run_frame(prog < 0 ? prog_ : prog, in);
    if (out.action != XDP_TX) return "";
    auto f = parse_frame(out.frame);
    EXPECT_TRUE(f.has_value());
    if (!f) return "";
    EXPECT_TRUE(std::equal(in.begin() + 12, in.end(), out.frame.begin() + 12))
        << "DSR must change the MACs only";
    EXPECT_EQ(f->src, prog < 0 ? iface_mac_ : f->src);
    return backend_of_mac(f->dst);
  }

  // Opens flows for clients [from, to) and returns client -> backend.
  std::map<int, std::string> open_flows(int from, int to, const char* vip = kVip) {
    std::map<int, std::string> m;
    for (int i = from; i < to; i++) {
      m[i] = send(i, kTcpSyn, vip);
      EXPECT_FALSE(m[i].empty()) << "client " << i << " not forwarded";
    }
    return m;
  }

  // The established flows must still go where they went.
  void expect_flows_kept(const std::map<int, std::string>& flows, const std::string& except = "") {
    for (const auto& [i, be] : flows) {
      if (be == except) continue;
      EXPECT_EQ(send(i), be) << "client " << i << " moved";
    }
  }

  uint64_t count(const Args& filter) {
    Args a{"flows", "count"};
    a.insert(a.end(), filter.begin(), filter.end());
    return xlb_json(a)["flows"].get<uint64_t>();
  }

  json backend_json(const std::string& addr) {
    json list = xlb_json({"backend", "list", "web"});
    for (const auto& b : list["backends"])
      if (b["address"] == addr) return b;
    ADD_FAILURE() << "no backend " << addr;
    return json::object();
  }

  int prog_ = -1;
  MacAddr iface_mac_;
  uint64_t sent_bytes_ = 0;
};

size_t how_many(const std::map<int, std::string>& flows, const std::string& be) {
  size_t n = 0;
  for (const auto& [i, b] : flows) n += b == be;
  return n;
}

TEST_F(DatapathCliTest, AttachShowsInInterfaceListAndIpLink) {
  json list = xlb_json({"interface", "list"});
  ASSERT_EQ(list["interfaces"].size(), 1u) << list.dump();
  const json& a = list["interfaces"][0];
  EXPECT_EQ(a["name"], "xa0");
  EXPECT_EQ(a["ifindex"], ifindex("xa0"));
  EXPECT_EQ(a["mode"], "native");
  bpf_prog_info info{};
  uint32_t len = sizeof(info);
  ASSERT_EQ(bpf_obj_get_info_by_fd(prog_, &info, &len), 0);
  EXPECT_EQ(a["prog_id"], info.id);
  EXPECT_GT(a["link_id"].get<uint32_t>(), 0u);
  EXPECT_EQ(list["capacities"]["services"], 16);
  EXPECT_EQ(list["capacities"]["backends"], 512);
  EXPECT_EQ(list["capacities"]["flows"], 4096);
  EXPECT_TRUE(netns().link("xa0").contains("xdp")) << netns().link("xa0").dump();
}

TEST_F(DatapathCliTest, FlowsAgreeWithThePacketsSent) {
  auto flows = open_flows(0, 40);
  std::set<std::string> used;
  for (const auto& [i, be] : flows) used.insert(be);
  EXPECT_EQ(used.size(), 3u) << "40 flows should reach all 3 backends";
  expect_flows_kept(flows);  // 40 more packets, no new flows

  EXPECT_EQ(count({}), 40u);
  for (const char* be : {"10.0.0.1", "10.0.0.2", "10.0.0.3"}) {
    EXPECT_EQ(count({"web", "backend", be}), how_many(flows, be)) << be;
    EXPECT_EQ(count({"backend", be}), how_many(flows, be)) << be;
  }
  json list = xlb_json({"flows", "list", "web"})["flows"];
  ASSERT_EQ(list.size(), 40u);
  for (const auto& f : list) {
    int i = f["client_port"].get<int>() - 20000;
    ASSERT_TRUE(flows.count(i)) << f.dump();
    EXPECT_EQ(f["client"], client(i));
    EXPECT_EQ(f["backend"], flows[i]);
    EXPECT_EQ(f["service"], "web");
    EXPECT_EQ(f["vip"], kVip);
    EXPECT_EQ(f["vip_port"], 80);
    EXPECT_EQ(f["proto"], "tcp");
  }
}

TEST_F(DatapathCliTest, StatsAgreeWithThePacketsSentAndResetZeroes) {
  auto flows = open_flows(0, 40);
  expect_flows_kept(flows);
  json st = xlb_json({"stats"});
  const json& web = st["services"][0];
  EXPECT_EQ(web["packets"], 80);
  EXPECT_EQ(web["flows"], 40);
  EXPECT_EQ(web["bytes"], sent_bytes_);
  for (const auto& b : web["backends"]) {
    size_t n = how_many(flows, b["address"]);
    EXPECT_EQ(b["packets"], 2 * n) << b.dump();
    EXPECT_EQ(b["flows"], n) << b.dump();
  }
  EXPECT_EQ(st["global"]["tx"], 80);
  EXPECT_EQ(st["global"]["new_flows"], 40);

  xlb_ok({"stats", "reset"});
  st = xlb_json({"stats"});
  EXPECT_EQ(st["services"][0]["packets"], 0);
  EXPECT_EQ(st["services"][0]["bytes"], 0);
  for (const auto& b : st["services"][0]["backends"]) EXPECT_EQ(b["packets"], 0);
  for (const auto& [k, v] : st["global"].items()) EXPECT_EQ(v, 0) << k;
  EXPECT_EQ(count({}), 40u) << "stats reset must not touch flows";
}

TEST_F(DatapathCliTest, DisableDrainsAndEnableUndrains) {
  auto flows = open_flows(0, 30);
  ASSERT_GT(how_many(flows, "10.0.0.1"), 0u);
  xlb_ok({"backend", "disable", "web", "10.0.0.1"});
  EXPECT_EQ(backend_json("10.0.0.1")["state"], "disabled");  // seen by another process
  expect_flows_kept(flows);
  auto fresh = open_flows(100, 160);
  EXPECT_EQ(how_many(fresh, "10.0.0.1"), 0u) << "a drained backend took new flows";

  xlb_ok({"backend", "enable", "web", "10.0.0.1"});
  EXPECT_EQ(backend_json("10.0.0.1")["state"], "enabled");
  EXPECT_GT(how_many(open_flows(200, 260), "10.0.0.1"), 0u);
  expect_flows_kept(flows);
}

TEST_F(DatapathCliTest, WeightZeroDrains) {
  auto flows = open_flows(0, 30);
  ASSERT_GT(how_many(flows, "10.0.0.2"), 0u);
  xlb_ok({"backend", "set", "web", "10.0.0.2", "weight", "0"});
  json b = backend_json("10.0.0.2");
  EXPECT_EQ(b["weight"], 0);
  EXPECT_EQ(b["state"], "enabled");
  expect_flows_kept(flows);
  EXPECT_EQ(how_many(open_flows(100, 160), "10.0.0.2"), 0u);
}

TEST_F(DatapathCliTest, DeleteMovesOnlyItsFlows) {
  auto flows = open_flows(0, 30);
  size_t on1 = how_many(flows, "10.0.0.1");
  ASSERT_GT(on1, 0u);
  EXPECT_EQ(count({"backend", "10.0.0.1"}), on1);
  xlb_ok({"backend", "del", "web", "10.0.0.1"});
  expect_flows_kept(flows, "10.0.0.1");
  for (const auto& [i, be] : flows) {
    if (be != "10.0.0.1") continue;
    std::string now = send(i);
    EXPECT_TRUE(now == "10.0.0.2" || now == "10.0.0.3") << "client " << i << " -> " << now;
  }
  EXPECT_EQ(how_many(open_flows(100, 130), "10.0.0.1"), 0u);
  RunResult r = xlb({"flows", "count", "backend", "10.0.0.1"});
  EXPECT_EQ(r.status, 1) << r.describe();
}

TEST_F(DatapathCliTest, FlowFiltersAndFlush) {
  xlb_ok({"service", "add", "web2", "tcp", std::string(kVip2) + ":80", "ring", "1021"});
  xlb_ok({"backend", "add", "web2", "10.0.0.4", "mac", kBackends.at("10.0.0.4")});
  auto flows = open_flows(0, 30);
  auto flows2 = open_flows(50, 60, kVip2);
  EXPECT_EQ(how_many(flows2, "10.0.0.4"), 10u);
  EXPECT_EQ(count({}), 40u);
  EXPECT_EQ(count({"web"}), 30u);
  EXPECT_EQ(count({"web2"}), 10u);
  EXPECT_EQ(count({"tcp", std::string(kVip2) + ":80"}), 10u);
  EXPECT_EQ(count({"web2", "backend", "10.0.0.4"}), 10u);
  json list2 = xlb_json({"flows", "list", "web2"});
  EXPECT_EQ(list2["flows"].size(), 10u);
  for (const auto& f : list2["flows"]) {
    EXPECT_EQ(f["service"], "web2");
    EXPECT_EQ(f["vip"], kVip2);
    EXPECT_EQ(f["backend"], "10.0.0.4");
  }

  size_t on1 = how_many(flows, "10.0.0.1");
  EXPECT_EQ(xlb_json({"flows", "flush", "web", "backend", "10.0.0.1"})["flushed"], on1);
  EXPECT_EQ(count({}), 40u - on1);
  EXPECT_EQ(count({"backend", "10.0.0.1"}), 0u);
  EXPECT_EQ(xlb_json({"flows", "flush", "web2"})["flushed"], 10);
  EXPECT_EQ(xlb_json({"flows", "flush"})["flushed"], 30u - on1);
  EXPECT_EQ(count({}), 0u);
}

TEST_F(DatapathCliTest, SecondInterfaceSharesTheMaps) {
  netns().add_veth("xb0", "xb1");
  attach("xb0");
  EXPECT_EQ(xlb_json({"interface", "list"})["interfaces"].size(), 2u);
  int prog_b = attached_prog_fd("xb0");
  ASSERT_GE(prog_b, 0);
  auto flows = open_flows(0, 20);
  MacAddr mac_b = link_mac("xb0");
  for (const auto& [i, be] : flows) {
    TestRunOutput out = run_frame(prog_b, tcp_frame(client(i), sport(i), kVip, 80, kTcpAck));
    ASSERT_EQ(out.action, XDP_TX);
    auto f = parse_frame(out.frame);
    ASSERT_TRUE(f.has_value());
    EXPECT_EQ(backend_of_mac(f->dst), be) << "the flow table is not shared";
    EXPECT_EQ(f->src, mac_b);
  }
  // A service added later is seen by both programs.
  xlb_ok({"service", "add", "web2", "tcp", std::string(kVip2) + ":80", "ring", "1021"});
  xlb_ok({"backend", "add", "web2", "10.0.0.4", "mac", kBackends.at("10.0.0.4")});
  EXPECT_EQ(send(500, kTcpSyn, kVip2, prog_b), "10.0.0.4");
  EXPECT_EQ(send(501, kTcpSyn, kVip2), "10.0.0.4");
}

TEST_F(DatapathCliTest, ReattachUpgradesInPlaceAndKeepsFlows) {
  auto flows = open_flows(0, 30);
  json before = xlb_json({"interface", "list"})["interfaces"][0];
  RunResult r = xlb({"interface", "attach", "xa0"});
  ASSERT_EQ(r.status, 0) << r.describe();
  EXPECT_NE(r.err.find("replaced the program on xa0"), std::string::npos) << r.err;
  json after = xlb_json({"interface", "list"})["interfaces"][0];
  EXPECT_EQ(after["link_id"], before["link_id"]);
  EXPECT_NE(after["prog_id"], before["prog_id"]);
  EXPECT_EQ(count({}), 30u);
  prog_ = attached_prog_fd("xa0");
  ASSERT_GE(prog_, 0);
  expect_flows_kept(flows);
  EXPECT_EQ(count({}), 30u);
}

TEST_F(DatapathCliTest, DetachRemovesTheAttachment) {
  std::string pin = pin_path() + "/link_" + std::to_string(ifindex("xa0"));
  xlb_ok({"interface", "detach", "xa0"});
  EXPECT_FALSE(netns().link("xa0").contains("xdp")) << netns().link("xa0").dump();
  EXPECT_TRUE(xlb_json({"interface", "list"})["interfaces"].empty());
  struct stat sb {};
  EXPECT_NE(stat(pin.c_str(), &sb), 0) << "the link pin is still there";
  // The maps, and so the configuration, stay.
  EXPECT_EQ(xlb_json({"service", "list"})["services"].size(), 1u);
  RunResult again = xlb({"interface", "detach", "xa0"});
  EXPECT_EQ(again.status, 1) << again.describe();
  // Attaching again works and the configuration is still served.
  attach("xa0");
  prog_ = attached_prog_fd("xa0");
  EXPECT_FALSE(send(0, kTcpSyn).empty());
}

}  // namespace

}  // namespace xlb::test
