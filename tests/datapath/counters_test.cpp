// Counters add up: a mix of traffic is sent, what came out is tallied by
// the test, and the program's per-service, per-backend and global counters
// (read through core's read_stats) must say the same.
#include <linux/bpf.h>

#include <map>

#include "datapath_fixture.hpp"
#include "model/ops.hpp"

namespace xlb::test {
namespace {

class CountersTest : public DatapathTest {
 protected:
  explicit CountersTest(uint32_t web_backends = 3) : web_backends_(web_backends) {}

  void SetUp() override {
    DatapathTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    configure([n = web_backends_](Config& c) -> Status {
      Service web = make_service("web4", Proto::tcp, "192.0.2.10", 80);
      Service dns = make_service("dns6", Proto::udp, "2001:db8::10", 53);
      for (uint32_t i = 1; i <= n; i++)
        web.backends.push_back(
            make_backend(("10.0.0." + std::to_string(i)).c_str(), backend_mac(i)));
      for (uint32_t i = 1; i <= 2; i++)
        dns.backends.push_back(
            make_backend(("fd00::" + std::to_string(i)).c_str(), backend_mac(200 + i)));
      XLB_TRY(service_add(c, std::move(web)));
      return service_add(c, std::move(dns));
    });
  }

  // Sends a frame and tallies what the test expects the counters to say.
  void send(const Bytes& f, bool new_flow = false) {
    TestRunOutput out = run(f);
    sent_++;
    actions_[out.action]++;
    if (out.action != XDP_TX) return;
    auto be = backend_with_mac(parse_frame(out.frame)->dst);
    ASSERT_TRUE(be);
    Counters& c = backends_[be->id];
    c.packets++;
    c.bytes += f.size();
    c.new_flows += new_flow;
  }

  void send_mixed_traffic();
  void expect_service_counters(const StatsSnapshot& st, const Service& s);
  void expect_counters_add_up();

  uint32_t web_backends_;
  uint64_t sent_ = 0;
  std::map<uint32_t, uint64_t> actions_;
  std::map<uint32_t, Counters> backends_;  // by backend id
};

PacketSpec web_packet(uint32_t client, uint8_t flags, size_t payload) {
  PacketSpec p = make_packet("0.0.0.0", "192.0.2.10", kProtoTcp, 5000 + client, 80, flags);
  p.ip.src = client_addr(client);
  p.l4.payload = Bytes(payload, 0x11);
  return p;
}

PacketSpec dns_packet(uint32_t client, size_t payload) {
  PacketSpec p = make_packet("0.0.0.0", "2001:db8::10", kProtoUdp, 6000 + client, 53);
  p.ip.src = client_addr(client, true);
  p.l4.payload = Bytes(payload, 0x22);
  return p;
}

// 50 TCP flows of 4 packets, 30 UDP flows of 2, 25 packets to no VIP, 10 to
// a VIP port without service, 5 truncated, 3 ICMP errors about TCP flows.
void CountersTest::send_mixed_traffic() {
  for (uint32_t i = 0; i < 50; i++) {
    send(frame(web_packet(i, kTcpSyn, 0)), true);
    for (size_t k = 1; k <= 3; k++) send(frame(web_packet(i, kTcpAck, 100 * k + i)));
  }
  for (uint32_t i = 0; i < 30; i++) {
    send(frame(dns_packet(i, 20 + i)), true);
    send(frame(dns_packet(i, 400)));
  }
  for (uint32_t i = 0; i < 25; i++) {
    PacketSpec p = web_packet(i, kTcpSyn, 0);
    p.ip.dst = ip("192.0.2.77");
    send(frame(p));
  }
  for (uint16_t i = 0; i < 10; i++)
    send(frame(make_packet("198.51.100.1", "192.0.2.10", kProtoTcp, 1, 22 + i)));
  Bytes truncated = frame(web_packet(99, kTcpSyn, 0));
  truncated.resize(14 + 20 + 10);
  for (int i = 0; i < 5; i++) send(truncated);
  for (uint32_t i = 0; i < 3; i++) {
    PacketSpec reply = web_packet(i, kTcpAck, 1400);
    std::swap(reply.ip.src, reply.ip.dst);
    std::swap(reply.l4.sport, reply.l4.dport);
    send(icmp_too_big_frame(EthSpec{}, ip("203.0.113.1"), ip("192.0.2.10"),
                            ip_packet(reply.ip, l4_segment(reply.ip, reply.l4)), 1400));
  }
}

// Each backend's counters are what the test saw it get; each service's are
// the sum of its backends'.
void CountersTest::expect_service_counters(const StatsSnapshot& st, const Service& s) {
  SCOPED_TRACE(s.name);
  Counters sum;
  for (const Backend& b : s.backends) {
    const Counters& want = backends_[b.id];
    const Counters& got = st.backends.at(b.id);
    EXPECT_EQ(got.packets, want.packets) << b.addr.str();
    EXPECT_EQ(got.bytes, want.bytes) << b.addr.str();
    EXPECT_EQ(got.new_flows, want.new_flows) << b.addr.str();
    sum.packets += want.packets;
    sum.bytes += want.bytes;
    sum.new_flows += want.new_flows;
  }
  EXPECT_EQ(st.services.at(s.id).packets, sum.packets);
  EXPECT_EQ(st.services.at(s.id).bytes, sum.bytes);
  EXPECT_EQ(st.services.at(s.id).new_flows, sum.new_flows);
}

// From 64 backends on, read_stats reads the arrays with batch lookups.
class ManyBackendsCountersTest : public CountersTest {
 protected:
  ManyBackendsCountersTest() : CountersTest(70) {}
};

void CountersTest::expect_counters_add_up() {
  send_mixed_traffic();
  ASSERT_FALSE(HasFailure());

  StatsSnapshot st = stats();
  uint64_t actions = 0;
  for (int a : {XLB_G_PASS, XLB_G_TX, XLB_G_DROP, XLB_G_REDIRECT, XLB_G_ABORTED})
    actions += st.global[a];
  EXPECT_EQ(actions, sent_);
  EXPECT_EQ(st.global[XLB_G_TX], 50u * 4 + 30 * 2 + 3);
  EXPECT_EQ(st.global[XLB_G_TX], actions_[XDP_TX]);
  EXPECT_EQ(st.global[XLB_G_PASS], 25u);
  EXPECT_EQ(st.global[XLB_G_DROP], 15u);
  EXPECT_EQ(st.global[XLB_G_DROP_NO_SERVICE], 10u);
  EXPECT_EQ(st.global[XLB_G_DROP_MALFORMED], 5u);
  EXPECT_EQ(st.global[XLB_G_NEW_FLOW], 80u);
  EXPECT_EQ(st.global[XLB_G_ICMP_TO_FLOW], 3u);
  EXPECT_EQ(st.global[XLB_G_FLOW_REBALANCED], 0u);
  for (const Service& s : config().services) expect_service_counters(st, s);
  EXPECT_EQ(st.services.at(service("web4").id).new_flows, 50u);
  EXPECT_EQ(st.services.at(service("dns6").id).new_flows, 30u);
}

TEST_F(CountersTest, CountersAddUpToTheTrafficSent) { expect_counters_add_up(); }

TEST_F(ManyBackendsCountersTest, BatchReadCountersAddUpToTheTrafficSent) {
  expect_counters_add_up();
}

TEST_F(CountersTest, NewIdsStartFromZero) {
  send(frame(web_packet(1, kTcpSyn, 0)), true);
  configure([](Config& c) { return service_del(c, by_name("web4")); });
  configure([](Config& c) {
    Service web = make_service("web4b", Proto::tcp, "192.0.2.10", 80);
    web.backends.push_back(make_backend("10.0.0.9", backend_mac(9)));
    return service_add(c, std::move(web));
  });
  StatsSnapshot st = stats();
  const Service s = service("web4b");
  EXPECT_EQ(st.services[s.id].packets, 0u);
  EXPECT_EQ(st.backends[s.backends.at(0).id].packets, 0u);
}

}  // namespace
}  // namespace xlb::test
