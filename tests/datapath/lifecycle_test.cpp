// Flow lifecycle on the real object: idle timeouts per protocol and state
// (SYN only, established), entries whose backend is gone, the sweep, new-flow
// counters that count entries rather than SYNs, and the flow guard.
//
// Timeouts are in whole seconds of CLOCK_MONOTONIC_COARSE: rather than
// sleeping, a test ages an entry by writing an older last_seen through the
// map, as the datapath would find it after that much idle time.
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <netinet/in.h>

#include <ctime>

#include "datapath_fixture.hpp"
#include "model/ops.hpp"

namespace xlb::test {
namespace {

const ServiceRef kWeb = by_name("web");
const ServiceRef kDns = by_name("dns");
constexpr uint32_t kTcp = 100, kTcpSyn = 10, kUdp = 50;

uint32_t now_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return static_cast<uint32_t>(ts.tv_sec);
}

class LifecycleTest : public DatapathTest {
 protected:
  void SetUp() override {
    DatapathTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    configure([](Config& c) -> Status {
      Service web = make_service("web", Proto::tcp, "192.0.2.10", 80);
      Service dns = make_service("dns", Proto::udp, "192.0.2.10", 53);
      for (uint32_t i = 1; i <= 3; i++) {
        std::string a = "10.0.0." + std::to_string(i);
        web.backends.push_back(make_backend(a.c_str(), backend_mac(i)));
        dns.backends.push_back(make_backend(a.c_str(), backend_mac(i)));
      }
      XLB_TRY(service_add(c, std::move(web)));
      XLB_TRY(service_add(c, std::move(dns)));
      return settings_set_timeouts(c, TimeoutChange{kTcp, kTcpSyn, kUdp});
    });
  }

  static Bytes packet(uint32_t i, uint8_t proto, uint8_t flags = kTcpAck) {
    PacketSpec p =
        make_packet("0.0.0.0", "192.0.2.10", proto, 1024 + i, proto == kProtoUdp ? 53 : 80, flags);
    p.ip.src = client_addr(i);
    return frame(p);
  }

  static xlb_flow_key key(uint32_t i, uint8_t proto) {
    return flow_key(
        proto == kProtoUdp ? Proto::udp : Proto::tcp,
        Endpoint{client_addr(i), static_cast<uint16_t>(1024 + i)},
        Endpoint{ip("192.0.2.10"), static_cast<uint16_t>(proto == kProtoUdp ? 53 : 80)});
  }

  std::optional<xlb_flow> entry(uint32_t i, uint8_t proto) const {
    xlb_flow v{};
    xlb_flow_key k = key(i, proto);
    if (bpf_map_lookup_elem(maps().flows(), &k, &v) != 0) return std::nullopt;
    return v;
  }

  // Makes the entry look idle for `seconds`.
  void age(uint32_t i, uint8_t proto, uint32_t seconds) {
    auto v = entry(i, proto);
    ASSERT_TRUE(v.has_value()) << "no entry for client " << i;
    v->last_seen = now_seconds() - seconds;
    xlb_flow_key k = key(i, proto);
    ASSERT_EQ(bpf_map_update_elem(maps().flows(), &k, &*v, BPF_EXIST), 0);
  }

  bool listed(uint32_t i) const {
    for (const Flow& f : flows())
      if (f.client == client_addr(i)) return true;
    return false;
  }

  uint64_t new_flows() const { return stats().global[XLB_G_NEW_FLOW]; }
};

// One protocol and state, its timeout.
struct ExpiryCase {
  const char* name;
  uint8_t proto;
  std::vector<uint8_t> packets;  // that make the entry
  uint32_t timeout;
  FlowState state;
};

void PrintTo(const ExpiryCase& c, std::ostream* os) { *os << c.name; }

class ExpiryTest : public LifecycleTest, public ::testing::WithParamInterface<ExpiryCase> {};

TEST_P(ExpiryTest, EntryLivesForItsTimeoutThenIsAMiss) {
  const ExpiryCase& c = GetParam();
  IpAddr to;
  for (uint8_t flags : c.packets) to = run_to_backend(packet(1, c.proto, flags));
  auto flows_now = flows();
  ASSERT_EQ(flows_now.size(), 1u);
  EXPECT_EQ(flows_now[0].state, c.state);
  EXPECT_EQ(flows_now[0].timeout, c.timeout);

  // Idle for exactly the timeout: still live, listed, and used (the probe
  // is of the kind that made the entry, so a SYN-only entry stays so).
  const uint8_t probe = c.packets.back();
  age(1, c.proto, c.timeout);
  EXPECT_TRUE(listed(1));
  uint64_t before = new_flows();
  ASSERT_EQ(run_to_backend(packet(1, c.proto, probe)), to);
  EXPECT_EQ(new_flows(), before);

  // Idle for longer: left out of the listing; the next packet misses, is
  // balanced again (same backend: same pool) and writes a fresh entry.
  age(1, c.proto, c.timeout + 2);
  EXPECT_FALSE(listed(1));
  before = new_flows();
  ASSERT_EQ(run_to_backend(packet(1, c.proto, probe)), to);
  EXPECT_EQ(new_flows(), before + 1);
  EXPECT_EQ(stats().global[XLB_G_FLOW_REBALANCED], 0u);
  auto v = entry(1, c.proto);
  ASSERT_TRUE(v.has_value());
  EXPECT_LE(now_seconds() - v->last_seen, 1u);
  EXPECT_TRUE(listed(1));
}

const ExpiryCase kExpiries[] = {
    {"tcp_established", kProtoTcp, {kTcpSyn, kTcpAck}, kTcp, FlowState::established},
    {"tcp_syn_only", kProtoTcp, {kTcpSyn}, kTcpSyn, FlowState::syn},
    {"tcp_first_packet_not_syn", kProtoTcp, {kTcpAck}, kTcp, FlowState::established},
    {"udp", kProtoUdp, {0}, kUdp, FlowState::established},
};

INSTANTIATE_TEST_SUITE_P(Protocols, ExpiryTest, ::testing::ValuesIn(kExpiries),
                         [](const auto& info) { return std::string(info.param.name); });

TEST_F(LifecycleTest, FirstNonSynPacketEndsTheSynState) {
  run_to_backend(packet(1, kProtoTcp, kTcpSyn));
  ASSERT_TRUE(entry(1, kProtoTcp).has_value());
  EXPECT_EQ(entry(1, kProtoTcp)->flags, XLB_FLOW_SYN_ONLY);
  run_to_backend(packet(1, kProtoTcp, kTcpAck));
  EXPECT_EQ(entry(1, kProtoTcp)->flags, 0);
  // A SYN-only entry idle past tcp-syn is gone; an established one is not.
  run_to_backend(packet(2, kProtoTcp, kTcpSyn));
  age(1, kProtoTcp, kTcpSyn + 5);
  age(2, kProtoTcp, kTcpSyn + 5);
  EXPECT_TRUE(listed(1));
  EXPECT_FALSE(listed(2));
}

TEST_F(LifecycleTest, RetransmittedSynIsNotANewFlow) {
  IpAddr to = run_to_backend(packet(1, kProtoTcp, kTcpSyn));
  EXPECT_EQ(run_to_backend(packet(1, kProtoTcp, kTcpSyn)), to);
  EXPECT_EQ(run_to_backend(packet(1, kProtoTcp, kTcpSyn)), to);
  StatsSnapshot st = stats();
  EXPECT_EQ(st.global[XLB_G_NEW_FLOW], 1u);
  EXPECT_EQ(st.backends[backend(to).id].new_flows, 1u);
  EXPECT_EQ(st.services[service("web").id].new_flows, 1u);
  // After the handshake, a SYN on the same tuple is a new connection (the
  // client reused its port): a new flow.
  run_to_backend(packet(1, kProtoTcp, kTcpAck));
  run_to_backend(packet(1, kProtoTcp, kTcpSyn));
  EXPECT_EQ(new_flows(), 2u);
  // So is a SYN whose SYN-only entry has expired.
  age(1, kProtoTcp, kTcpSyn + 2);
  run_to_backend(packet(1, kProtoTcp, kTcpSyn));
  EXPECT_EQ(new_flows(), 3u);
}

TEST_F(LifecycleTest, EntriesOfADeletedBackendAreNotListedAndAreSwept) {
  std::map<IpAddr, int> per_backend;
  for (uint32_t i = 0; i < 60; i++) {
    run_to_backend(packet(i, kProtoTcp, kTcpSyn));
    per_backend[run_to_backend(packet(i, kProtoTcp, kTcpAck))]++;
  }
  const IpAddr gone = ip("10.0.0.2");
  ASSERT_GT(per_backend[gone], 0);
  // The id is given to another backend: entries naming it must not be
  // shown under the new one.
  configure([&](Config& c) -> Status {
    XLB_TRY(backend_del(c, kWeb, gone));
    return backend_add(c, kWeb, make_backend("10.0.0.9", backend_mac(9)));
  });
  EXPECT_EQ(flows().size(), 60u - per_backend[gone]);
  uint32_t reused = backend(ip("10.0.0.9")).id;
  for (const Flow& f : flows()) EXPECT_NE(f.backend_id, reused);
  auto count = count_flows(maps());
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 60u);

  auto swept = expire_flows(maps());
  ASSERT_TRUE(swept.ok()) << swept.error().message;
  EXPECT_EQ(swept->stale, static_cast<uint64_t>(per_backend[gone]));
  EXPECT_EQ(swept->expired, 0u);
  EXPECT_EQ(*count_flows(maps()), 60u - per_backend[gone]);
}

TEST_F(LifecycleTest, SweepRemovesExpiredEntriesOnly) {
  for (uint32_t i = 0; i < 10; i++) {
    run_to_backend(packet(i, kProtoTcp, kTcpAck));
    run_to_backend(packet(i, kProtoUdp, 0));
  }
  for (uint32_t i = 0; i < 4; i++) age(i, kProtoTcp, kTcp + 1);
  for (uint32_t i = 0; i < 3; i++) age(i, kProtoUdp, kUdp + 1);
  age(9, kProtoUdp, kUdp);  // not yet
  auto swept = expire_flows(maps());
  ASSERT_TRUE(swept.ok()) << swept.error().message;
  EXPECT_EQ(swept->expired, 7u);
  EXPECT_EQ(swept->stale, 0u);
  EXPECT_EQ(*count_flows(maps()), 13u);
  EXPECT_EQ(flows().size(), 13u);
}

TEST_F(LifecycleTest, TimeoutsOfZeroInAnOldBankNeverExpire) {
  // Banks written before timeouts existed hold zeros there.
  uint32_t zero = 0;
  xlb_ctl ctl{};
  ASSERT_EQ(bpf_map_lookup_elem(maps().ctl(), &zero, &ctl), 0);
  xlb_bank bank{};
  ASSERT_EQ(bpf_map_lookup_elem(maps().banks(), &ctl.active_bank, &bank), 0);
  bank.timeout_tcp = bank.timeout_tcp_syn = bank.timeout_udp = 0;
  ASSERT_EQ(bpf_map_update_elem(maps().banks(), &ctl.active_bank, &bank, BPF_ANY), 0);
  run_to_backend(packet(1, kProtoTcp, kTcpAck));
  age(1, kProtoTcp, 100000);
  run_to_backend(packet(1, kProtoTcp, kTcpAck));
  EXPECT_EQ(new_flows(), 1u);
}

TEST_F(LifecycleTest, FlowGuardBalancesButDoesNotRecordSynsAboveItsRate) {
  configure([](Config& c) { return settings_set_flow_guard(c, 5); });
  std::vector<IpAddr> to;
  for (uint32_t i = 0; i < 20; i++) to.push_back(run_to_backend(packet(i, kProtoTcp, kTcpSyn)));
  StatsSnapshot st = stats();
  // A second boundary may fall inside the loop: 5 more then.
  uint64_t recorded = st.global[XLB_G_NEW_FLOW];
  EXPECT_TRUE(recorded == 5 || recorded == 10) << recorded;
  EXPECT_EQ(st.global[XLB_G_FLOW_GUARD_SKIPPED], 20 - recorded);
  EXPECT_EQ(flows().size(), recorded);
  // The first non-SYN packet of a skipped client records its flow, on the
  // backend its SYN went to.
  uint32_t skipped = 19;
  ASSERT_FALSE(entry(skipped, kProtoTcp).has_value());
  EXPECT_EQ(run_to_backend(packet(skipped, kProtoTcp, kTcpAck)), to[skipped]);
  ASSERT_TRUE(entry(skipped, kProtoTcp).has_value());
  EXPECT_EQ(entry(skipped, kProtoTcp)->flags, 0);
}

// While the guard is closed, a SYN on a tuple that has an entry (a client
// reusing its port) replaces it in place: the new connection's later packets
// follow the SYN's choice, and nothing is inserted.
TEST_F(LifecycleTest, ClosedGuardReplacesAnExistingEntryInPlace) {
  configure([](Config& c) { return settings_set_flow_guard(c, 1); });
  for (uint32_t attempt = 0; attempt < 5; attempt++) {
    uint32_t a = 100 + 3 * attempt, b = a + 1, second = now_seconds();
    run_to_backend(packet(a, kProtoTcp, kTcpSyn));  // the one this second
    run_to_backend(packet(a, kProtoTcp, kTcpAck));
    uint64_t skipped = stats().global[XLB_G_FLOW_GUARD_SKIPPED];
    run_to_backend(packet(b, kProtoTcp, kTcpSyn));  // skipped
    run_to_backend(packet(a, kProtoTcp, kTcpSyn));  // replaces a's entry
    if (now_seconds() != second) continue;          // the guard reopened meanwhile
    EXPECT_EQ(stats().global[XLB_G_FLOW_GUARD_SKIPPED], skipped + 1);
    EXPECT_FALSE(entry(b, kProtoTcp).has_value());
    ASSERT_TRUE(entry(a, kProtoTcp).has_value());
    EXPECT_EQ(entry(a, kProtoTcp)->flags, XLB_FLOW_SYN_ONLY);
    return;
  }
  FAIL() << "every attempt crossed a second boundary";
}

TEST_F(LifecycleTest, FlowGuardOffRecordsEverySyn) {
  configure([](Config& c) { return settings_set_flow_guard(c, 0); });
  for (uint32_t i = 0; i < 50; i++) run_to_backend(packet(i, kProtoTcp, kTcpSyn));
  EXPECT_EQ(new_flows(), 50u);
  EXPECT_EQ(stats().global[XLB_G_FLOW_GUARD_SKIPPED], 0u);
  EXPECT_EQ(flows().size(), 50u);
}

}  // namespace
}  // namespace xlb::test
