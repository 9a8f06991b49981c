// Persistence (`service ... persist D`) through the real binary against real
// pins: the ruleset round trip, `service list` and -j, `persist off`, the
// service entries and backend flags the datapath reads, `flows expire`'s
// count, and an ipvsadm import of -p applied back.
#include <bpf/bpf.h>
#include <gtest/gtest.h>

#include <ctime>
#include <nlohmann/json.hpp>

#include "ruleset_fixture.hpp"
#include "state/state.hpp"

namespace xlb::test {
namespace {

class Persist : public PinnedTest {
 protected:
  // The datapath's flags of backend `addr` of the first service.
  uint8_t be_flags(const char* addr) const {
    const Backend* b = live().services[0].find_backend(*IpAddr::parse(addr));
    EXPECT_NE(b, nullptr) << addr;
    auto st = State::open(pin_path());
    xlb_backend e{};
    if (b) {
      EXPECT_EQ(bpf_map_lookup_elem(st->maps().backends(), &b->id, &e), 0);
    }
    return e.flags;
  }
  // persist of every entry of the live bank that names the first service
  // (its own, and the VIP entry that carries it).
  std::vector<uint32_t> svc_persist() const {
    auto st = State::open(pin_path());
    EXPECT_TRUE(st.ok());
    uint32_t zero = 0;
    xlb_ctl ctl{};
    EXPECT_EQ(bpf_map_lookup_elem(st->maps().ctl(), &zero, &ctl), 0);
    const uint32_t id = live().services[0].id;
    std::vector<uint32_t> out;
    xlb_svc_key cur{}, next{};
    const void* prev = nullptr;
    while (bpf_map_get_next_key(st->maps().svcs(), prev, &next) == 0) {
      cur = next;
      prev = &cur;
      xlb_svc v{};
      if (cur.bank == ctl.active_bank && bpf_map_lookup_elem(st->maps().svcs(), &cur, &v) == 0 &&
          v.id == id)
        out.push_back(v.persist);
    }
    return out;
  }
  nlohmann::json service_json() const {
    RunResult r = xlb({"-j", "service", "list"});
    EXPECT_EQ(r.status, 0) << r.err;
    return nlohmann::json::parse(r.out)["services"][0];
  }
};

TEST_F(Persist, RoundTripListingsAndOff) {
  apply(
      "service add web tcp 192.0.2.10:80 persist 300\n"
      "backend add web 10.0.0.1 mac 02:00:00:00:00:01\n"
      "backend add web 10.0.0.2 mac 02:00:00:00:00:02\n"
      "backend disable web 10.0.0.2\n");
  const std::string text = list_ruleset();
  EXPECT_NE(text.find("service add web tcp 192.0.2.10:80 sched mh persist 5m\n"), std::string::npos)
      << text;
  apply(text);
  EXPECT_EQ(list_ruleset(), text);
  RunResult list = xlb({"service", "list"});
  EXPECT_NE(list.out.find(" web  (persist 5m)\n"), std::string::npos) << list.out;
  EXPECT_EQ(service_json()["persist_s"], 300);
  RunResult prom = xlb({"stats", "--prometheus"});
  EXPECT_NE(prom.out.find("xlb_vip_persist_seconds{service=\"web\",vip=\"192.0.2.10\",port=\"80\","
                          "proto=\"tcp\"} 300\n"),
            std::string::npos)
      << prom.out;
  EXPECT_EQ(svc_persist(), (std::vector<uint32_t>{300, 300}));  // the service and its VIP entry
  EXPECT_EQ(be_flags("10.0.0.1"), XLB_BE_PERSIST);
  EXPECT_EQ(be_flags("10.0.0.2"), XLB_BE_PERSIST | XLB_BE_NO_NEW);  // disabled

  RunResult off = xlb({"service", "set", "web", "persist", "off"});
  ASSERT_EQ(off.status, 0) << off.err;
  EXPECT_EQ(list_ruleset().find("persist"), std::string::npos);
  EXPECT_EQ(service_json()["persist_s"], 0);
  EXPECT_EQ(svc_persist(), (std::vector<uint32_t>{0, 0}));
  EXPECT_EQ(be_flags("10.0.0.1"), 0);
  EXPECT_EQ(be_flags("10.0.0.2"), XLB_BE_NO_NEW);

  RunResult swept = xlb({"-j", "flows", "expire"});
  ASSERT_EQ(swept.status, 0) << swept.err;
  EXPECT_EQ(nlohmann::json::parse(swept.out)["persist"], 0);
  RunResult bad = xlb({"service", "set", "web", "persist", "forever"});
  EXPECT_EQ(bad.status, 2) << bad.err;
  EXPECT_NE(bad.err.find("invalid persistence timeout 'forever'"), std::string::npos) << bad.err;
}

// `flows get` names the persisted backend when the flow has no entry, as the
// datapath would choose, and says why not when the entry is expired.
TEST_F(Persist, FlowsGetNamesThePersistedBackend) {
  apply(
      "service add web tcp 192.0.2.10:80 persist 60\n"
      "backend add web 10.0.0.1 mac 02:00:00:00:00:01\n"
      "backend add web 10.0.0.2 mac 02:00:00:00:00:02\n");
  const Service s = live().services[0];
  const Backend& b = *s.find_backend(*IpAddr::parse("10.0.0.2"));
  auto st = State::open(pin_path());
  ASSERT_TRUE(st.ok());
  xlb_persist_key k{};
  k.svc_id = s.id;
  k.family = XLB_AF_INET;
  k.client = IpAddr::parse("198.51.100.7")->to_abi();
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  xlb_persist v{b.id, b.cookie, static_cast<uint32_t>(ts.tv_sec) - 5, 0};
  ASSERT_EQ(bpf_map_update_elem(st->maps().persist(), &k, &v, BPF_ANY), 0);
  const std::vector<std::string> get = {"-j",           "flows", "get", "tcp", "198.51.100.7:4000",
                                        "192.0.2.10:80"};
  RunResult r = xlb(get);
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["reason"], "persistence") << r.out;
  EXPECT_EQ(j["backend"], "10.0.0.2");
  EXPECT_EQ(j["persisted"], "live");
  EXPECT_EQ(j["timeout"], 60);
  EXPECT_GE(j["age"].get<int>(), 5);
  v.last_seen -= 100;  // idle for longer than D
  ASSERT_EQ(bpf_map_update_elem(st->maps().persist(), &k, &v, BPF_ANY), 0);
  j = nlohmann::json::parse(xlb(get).out);
  EXPECT_EQ(j["reason"], "table slot");
  EXPECT_EQ(j["persisted"], "expired");
  RunResult swept = xlb({"-j", "flows", "expire"});
  EXPECT_EQ(nlohmann::json::parse(swept.out)["persist"], 1) << swept.out;
  EXPECT_FALSE(nlohmann::json::parse(xlb(get).out).contains("persisted"));
}

TEST_F(Persist, IpvsadmImportOfPersistenceAppliesBack) {
  RunResult imported = xlb({"import", "ipvsadm", "-"},
                           "-A -t 192.0.2.10:443 -s sh -p 600\n"
                           "-a -t 192.0.2.10:443 -r 10.0.0.1:443 -g -w 1\n");
  ASSERT_EQ(imported.status, 0) << imported.err;
  EXPECT_EQ(imported.err, "");  // -p is no longer approximated: no warning
  apply(imported.out);
  EXPECT_NE(list_ruleset().find("tcp 192.0.2.10:443 sched sh persist 10m\n"), std::string::npos)
      << list_ruleset();
  EXPECT_EQ(service_json()["persist_s"], 600);
}

}  // namespace
}  // namespace xlb::test
