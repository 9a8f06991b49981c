// Prefix VIPs (`service add NAME PROTO ADDR/LEN[:PORTS]`) through the real
// binary against real pins: the ruleset round trip (`list ruleset | xlb -f
// -`), `service list` and -j vip_len, the trie entries and cover the
// datapath reads, `flows get` for an address inside the prefix, and the
// address health checks probe (`nat list`, the NAT entries).
#include <bpf/bpf.h>
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "ruleset_fixture.hpp"
#include "state/state.hpp"

namespace xlb::test {
namespace {

const char* const kConfig =
    "service add net tcp 192.0.2.0/28:80,443\n"
    "backend add net 10.0.0.1 mac 02:00:00:00:00:01\n"
    "backend add net 10.0.0.2 mac 02:00:00:00:00:02\n"
    "service add one tcp 192.0.2.5:80\n"
    "backend add one 10.0.0.3 mac 02:00:00:00:00:03\n"
    "service add net6 udp [2001:db8::/120]\n"
    "backend add net6 2001:db8:be::1 mac 02:00:00:00:00:04\n";

class PrefixVip : public PinnedTest {
 protected:
  nlohmann::json services() const {
    RunResult r = xlb({"-j", "service", "list"});
    EXPECT_EQ(r.status, 0) << r.err;
    return nlohmann::json::parse(r.out)["services"];
  }
  nlohmann::json flows_get(const char* client, const char* vip) const {
    RunResult r = xlb({"-j", "flows", "get", "tcp", client, vip});
    EXPECT_EQ(r.status, 0) << r.err;
    return nlohmann::json::parse(r.out);
  }
  // The live bank's prefix cover flags and its prefix VIPs' trie entries.
  std::pair<uint32_t, size_t> cover_flags_and_prefixes() const {
    auto st = State::open(pin_path());
    EXPECT_TRUE(st.ok());
    uint32_t zero = 0;
    xlb_ctl ctl{};
    EXPECT_EQ(bpf_map_lookup_elem(st->maps().ctl(), &zero, &ctl), 0);
    xlb_vip_cover cover{};
    EXPECT_EQ(bpf_map_lookup_elem(st->maps().vip_cover(), &ctl.active_bank, &cover), 0);
    size_t n = 0;
    xlb_vip_prefix_key cur{}, next{};
    const void* prev = nullptr;
    while (bpf_map_get_next_key(st->maps().vip_prefixes(), prev, &next) == 0) {
      cur = next;
      prev = &cur;
      n += cur.bank == ctl.active_bank;
    }
    return {cover.flags, n};
  }
};

TEST_F(PrefixVip, RulesetRoundTripListingsAndJson) {
  apply(kConfig);
  const std::string text = list_ruleset();
  EXPECT_NE(text.find("service add net tcp 192.0.2.0/28:80,443 sched mh\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("service add net6 udp [2001:db8::/120] sched mh\n"), std::string::npos)
      << text;
  // list ruleset | xlb -f -: the same configuration again.
  RunResult again = xlb({"-f", "-"}, text);
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_EQ(list_ruleset(), text);
  const nlohmann::json j = services();
  ASSERT_EQ(j.size(), 3u);
  EXPECT_EQ(j[0]["name"], "net");
  EXPECT_EQ(j[0]["vip"], "192.0.2.0");
  EXPECT_EQ(j[0]["vip_len"], 28);
  EXPECT_EQ(j[1]["vip_len"], 0);
  EXPECT_EQ(j[2]["vip_len"], 120);
  RunResult list = xlb({"service", "list"});
  EXPECT_NE(list.out.find("192.0.2.0/28:80,443"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("[2001:db8::/120]:*"), std::string::npos) << list.out;
  EXPECT_EQ(cover_flags_and_prefixes(),
            (std::pair<uint32_t, size_t>{XLB_COVER_V4 | XLB_COVER_V6, 2}));
  // Without prefix services the cover's flags are off: non-VIP traffic
  // skips the trie.
  ASSERT_EQ(xlb({"service", "del", "net"}).status, 0);
  ASSERT_EQ(xlb({"service", "del", "net6"}).status, 0);
  EXPECT_EQ(cover_flags_and_prefixes(), (std::pair<uint32_t, size_t>{0, 0}));
}

// flows get for an address inside the prefix names the prefix's service;
// the exact VIP inside it its own (for every port); outside: no service.
TEST_F(PrefixVip, FlowsGetNamesThePrefixService) {
  apply(kConfig);
  nlohmann::json j = flows_get("198.51.100.7:4000", "192.0.2.9:443");
  EXPECT_EQ(j["service"], "net") << j.dump();
  EXPECT_EQ(j["reason"], "table slot");
  EXPECT_TRUE(j["backend"] == "10.0.0.1" || j["backend"] == "10.0.0.2") << j.dump();
  j = flows_get("198.51.100.7:4000", "192.0.2.5:80");
  EXPECT_EQ(j["service"], "one") << j.dump();
  EXPECT_EQ(j["backend"], "10.0.0.3");
  EXPECT_EQ(flows_get("198.51.100.7:4000", "192.0.2.5:443")["reason"], "no service");
  EXPECT_EQ(flows_get("198.51.100.7:4000", "192.0.2.9:22")["reason"], "no service");
  EXPECT_EQ(flows_get("198.51.100.7:4000", "192.0.2.16:80")["reason"], "no service");
  RunResult text = xlb({"flows", "get", "tcp", "198.51.100.7:4000", "192.0.2.15:80"});
  EXPECT_NE(text.out.find("of service net\n"), std::string::npos) << text.out;
}

// A check of a prefix service probes its first host address (the NAT entry
// sends the probe there), which `nat list` shows.
TEST_F(PrefixVip, ChecksProbeTheFirstHostAddress) {
  apply(std::string(kConfig) + "check add net tcp\ncheck add one tcp\n");
  RunResult r = xlb({"-j", "nat", "list"});
  ASSERT_EQ(r.status, 0) << r.err;
  std::map<std::string, std::string> vip_of;
  const nlohmann::json nat = nlohmann::json::parse(r.out);
  for (const auto& row : nat["nat"]) vip_of[row["backend"].get<std::string>()] = row["vip"];
  EXPECT_EQ(vip_of["10.0.0.1"], "192.0.2.1") << r.out;
  EXPECT_EQ(vip_of["10.0.0.2"], "192.0.2.1") << r.out;
  EXPECT_EQ(vip_of["10.0.0.3"], "192.0.2.5") << r.out;
  // What the datapath rewrites a probe's destination to: the NAT entries.
  auto st = State::open(pin_path());
  ASSERT_TRUE(st.ok());
  const uint32_t net = live().find_service("net")->id;
  int entries = 0;
  xlb_nat_key cur{}, next{};
  const void* prev = nullptr;
  while (bpf_map_get_next_key(st->maps().nat(), prev, &next) == 0) {
    cur = next;
    prev = &cur;
    xlb_nat v{};
    ASSERT_EQ(bpf_map_lookup_elem(st->maps().nat(), &cur, &v), 0);
    if (v.svc_id != net) continue;
    entries++;
    EXPECT_EQ(IpAddr::from_abi(v.vip, XLB_AF_INET).str(), "192.0.2.1");
  }
  EXPECT_GE(entries, 2);  // both backends, in the live bank at least
}

}  // namespace
}  // namespace xlb::test
