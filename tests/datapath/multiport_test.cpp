// Multiport services (tcp 192.0.2.10:80,443,8000-8099): one service, one
// pool and one Maglev table for every port of the set; a port outside it is
// no service of the VIP; changing the set keeps established flows.
#include <linux/bpf.h>

#include <map>

#include "datapath_fixture.hpp"
#include "model/ops.hpp"

namespace xlb::test {
namespace {

constexpr int kClients = 100;
const ServiceRef kWeb = by_name("web");

PortSet ports(const char* text) {
  auto p = parse_ports(text);
  EXPECT_TRUE(p) << text;
  return p.value_or(PortSet{});
}

// Client i's TCP packet to 192.0.2.10:port, from client_addr(i):1024+i.
Bytes to_port(int i, uint16_t port, uint8_t tcp_flags) {
  PacketSpec p = make_packet("0.0.0.0", "192.0.2.10", kProtoTcp, 1024 + i, port, tcp_flags);
  p.ip.src = client_addr(static_cast<uint32_t>(i));
  return frame(p);
}

class MultiportTest : public DatapathTest {
 protected:
  // 256 service map entries per bank: room for the 102 ports twice over.
  Capacities capacities() const override {
    return Capacities{.services = 128, .backends = 512, .flows = 16384};
  }

  void SetUp() override {
    DatapathTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    configure([](Config& c) { return service_add(c, web(Sched::mh)); });
  }

  // web: tcp 192.0.2.10:80,443,8000-8099 with 10.0.0.1 to 10.0.0.3.
  static Service web(Sched sched) {
    Service s = make_service("web", Proto::tcp, "192.0.2.10", 80);
    s.set_ports(ports("80,443,8000-8099"));
    s.sched = sched;
    for (uint32_t i = 1; i <= 3; i++)
      s.backends.push_back(make_backend(("10.0.0." + std::to_string(i)).c_str(), backend_mac(i)));
    return s;
  }

  std::vector<IpAddr> send(int first, int count, uint16_t port, uint8_t flags) const {
    std::vector<IpAddr> out;
    for (int i = first; i < first + count; i++)
      out.push_back(run_to_backend(to_port(i, port, flags)));
    return out;
  }

  void set_ports(const char* text) {
    ServiceChange ch;
    ch.ports = ports(text);
    configure([&](Config& c) { return service_set(c, kWeb, ch); });
  }

  void expect_no_service(uint16_t port) const {
    const uint64_t before = stats().global[XLB_G_DROP_NO_SERVICE];
    EXPECT_EQ(run(to_port(0, port, kTcpSyn)).action, XDP_DROP) << "port " << port;
    EXPECT_EQ(stats().global[XLB_G_DROP_NO_SERVICE], before + 1) << "port " << port;
  }
};

TEST_F(MultiportTest, EveryPortOfTheSetLandsInTheOnePool) {
  const uint32_t id = service("web").id;
  int sent = 0;
  for (uint16_t port : {80, 443, 8000, 8050, 8099}) {
    auto h = histogram(send(0, kClients, port, kTcpSyn));
    sent += kClients;
    EXPECT_EQ(h.size(), 3u) << "port " << port;
    for (const auto& [addr, n] : h)
      EXPECT_TRUE(service("web").find_backend(addr)) << addr.str() << " on port " << port;
  }
  // One service: its counters count every port.
  EXPECT_EQ(stats().services[id].new_flows, static_cast<uint64_t>(sent));
  EXPECT_EQ(stats().global[XLB_G_DROP_NO_SERVICE], 0u);
}

TEST_F(MultiportTest, PortsOutsideTheSetAreNoService) {
  for (uint16_t port : {444, 79, 7999, 8100, 22}) expect_no_service(port);
}

TEST_F(MultiportTest, OneMaglevTableForEveryPort) {
  // Source hashing: a client's backend depends only on its address and the
  // table, so one table gives it the same backend on every port.
  configure([](Config& c) -> Status {
    XLB_TRY(service_del(c, kWeb));
    return service_add(c, web(Sched::sh));
  });
  std::vector<IpAddr> on80 = send(0, kClients, 80, kTcpSyn);
  EXPECT_EQ(histogram(on80).size(), 3u);
  for (uint16_t port : {443, 8000, 8099}) {
    std::vector<IpAddr> other;
    for (int i = 0; i < kClients; i++) {
      PacketSpec p = make_packet("0.0.0.0", "192.0.2.10", kProtoTcp, 30000 + i, port, kTcpSyn);
      p.ip.src = client_addr(static_cast<uint32_t>(i));
      other.push_back(run_to_backend(frame(p)));
    }
    EXPECT_EQ(other, on80) << "port " << port;
  }
}

TEST_F(MultiportTest, ChangingThePortsKeepsEstablishedFlows) {
  const uint32_t id = service("web").id;
  std::vector<IpAddr> on443 = send(0, kClients, 443, kTcpSyn);
  // Remove the range and add a backend in one transaction: the table
  // changes, the flows to 443 stay where they are.
  configure([](Config& c) -> Status {
    ServiceChange ch;
    ch.ports = ports("80,443");
    XLB_TRY(service_set(c, kWeb, ch));
    return backend_add(c, kWeb, make_backend("10.0.0.4", backend_mac(4)));
  });
  EXPECT_EQ(send(0, kClients, 443, kTcpAck), on443);
  expect_no_service(8050);
  EXPECT_GT(histogram(send(kClients, kClients, 443, kTcpSyn))[ip("10.0.0.4")], 0);

  set_ports("80,443,8000-8099,9000");
  EXPECT_EQ(send(0, kClients, 443, kTcpAck), on443);
  EXPECT_EQ(histogram(send(0, kClients, 9000, kTcpSyn)).size(), 4u);
  EXPECT_EQ(histogram(send(0, kClients, 8050, kTcpSyn)).size(), 4u);
  EXPECT_EQ(service("web").id, id);
}

TEST_F(MultiportTest, AnotherServiceMayTakeAFreedPortButNotAUsedOne) {
  Service other = make_service("other", Proto::tcp, "192.0.2.10", 8050);
  other.backends.push_back(make_backend("10.0.0.9", backend_mac(9)));
  Status taken = state_update([&](Config& c) { return service_add(c, other); });
  ASSERT_FALSE(taken);
  EXPECT_NE(taken.error().message.find("overlaps service web"), std::string::npos)
      << taken.error().message;
  // The set shrinks and the other service takes 8050 in one transaction.
  configure([&](Config& c) -> Status {
    ServiceChange ch;
    ch.ports = ports("80,443,8000-8049,8051-8099");
    XLB_TRY(service_set(c, kWeb, ch));
    return service_add(c, other);
  });
  EXPECT_EQ(run_to_backend(to_port(0, 8050, kTcpSyn)), ip("10.0.0.9"));
  EXPECT_TRUE(service("web").find_backend(run_to_backend(to_port(0, 8051, kTcpSyn))));
}

TEST_F(MultiportTest, MorePortsThanTheServiceMapHoldsAreRefusedAndNothingChanges) {
  ServiceChange ch;
  ch.ports = ports("80,443,1000-1299");
  Status st = state_update([&](Config& c) { return service_set(c, kWeb, ch); });
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("need 303 entries of the service map, which holds 256"),
            std::string::npos)
      << st.error().message;
  EXPECT_EQ(service("web").ports, ports("80,443,8000-8099"));
  EXPECT_EQ(histogram(send(0, kClients, 8099, kTcpSyn)).size(), 3u);
  expect_no_service(1000);
}

}  // namespace
}  // namespace xlb::test
