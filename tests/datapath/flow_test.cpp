// Flows and backend states: established flows keep their backend across
// pool changes and drains; health down and removal re-balance them; a
// packet without a flow, SYN or not, gets the Maglev choice.
#include <linux/bpf.h>

#include <map>
#include <set>

#include "datapath_fixture.hpp"
#include "model/ops.hpp"

namespace xlb::test {
namespace {

constexpr int kClients = 300;
const ServiceRef kWeb = by_name("web");

class FlowTest : public DatapathTest {
 protected:
  void SetUp() override {
    DatapathTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    configure([](Config& c) {
      Service s = make_service("web", Proto::tcp, "192.0.2.10", 80);
      for (uint32_t i = 1; i <= 3; i++) s.backends.push_back(backend_of(i));
      return service_add(c, std::move(s));
    });
  }

  // Backend i: 10.0.0.i, MAC backend_mac(i).
  static Backend backend_of(uint32_t i) {
    std::string a = "10.0.0." + std::to_string(i);
    return make_backend(a.c_str(), backend_mac(i));
  }
};

TEST_F(FlowTest, FlowTableRecordsEachNewFlow) {
  std::vector<IpAddr> to = send_all(0, 10, kTcpSyn);
  std::vector<Flow> fl = flows();
  ASSERT_EQ(fl.size(), 10u);
  uint32_t web_id = service("web").id;
  for (const Flow& f : fl) {
    uint32_t i = f.client_port - 1024;
    ASSERT_LT(i, 10u);
    EXPECT_EQ(f.client, client_addr(i));
    EXPECT_EQ(f.vip, ip("192.0.2.10"));
    EXPECT_EQ(f.vip_port, 80);
    EXPECT_EQ(f.proto, Proto::tcp);
    EXPECT_EQ(f.service_id, web_id);
    EXPECT_EQ(f.backend_id, backend(to[i]).id);
    EXPECT_LE(f.age_seconds, 1u);
  }
  EXPECT_EQ(stats().global[XLB_G_NEW_FLOW], 10u);
}

TEST_F(FlowTest, LaterPacketsKeepTheirBackendWhenBackendsAreAdded) {
  std::vector<IpAddr> first = send_all(0, kClients, kTcpSyn);
  configure([](Config& c) -> Status {
    XLB_TRY(backend_add(c, kWeb, backend_of(4)));
    return backend_add(c, kWeb, backend_of(5));
  });
  EXPECT_EQ(send_all(0, kClients, kTcpAck), first);
  // The table did change: fresh clients do reach the new backends.
  auto fresh = histogram(send_all(kClients, kClients, kTcpSyn));
  EXPECT_GT(fresh[ip("10.0.0.4")] + fresh[ip("10.0.0.5")], kClients / 5);
  EXPECT_EQ(stats().global[XLB_G_FLOW_REBALANCED], 0u);
}

TEST_F(FlowTest, PacketWithoutFlowGetsTheSameChoiceSynOrNot) {
  std::vector<IpAddr> syn = send_all(0, kClients, kTcpSyn);
  auto flushed = flush_flows(maps(), [](const Flow&) { return true; });
  ASSERT_TRUE(flushed.ok());
  EXPECT_EQ(*flushed, static_cast<uint64_t>(kClients));
  // Stateless consistent hashing: another load balancer, or this one after
  // losing its table, sends an established connection to the same place.
  EXPECT_EQ(send_all(0, kClients, kTcpAck), syn);
  EXPECT_EQ(flows().size(), static_cast<size_t>(kClients));
  EXPECT_EQ(stats().global[XLB_G_NEW_FLOW], 2u * kClients);
}

// Two ways to drain a backend: admin disabled, weight 0.
struct DrainCase {
  const char* name;
  std::function<Status(Config&, const IpAddr&)> drain;
};

void PrintTo(const DrainCase& c, std::ostream* os) { *os << c.name; }

class DrainTest : public FlowTest, public ::testing::WithParamInterface<DrainCase> {};

TEST_P(DrainTest, DrainedBackendKeepsItsFlowsAndGetsNoNewOnes) {
  std::vector<IpAddr> first = send_all(0, kClients, kTcpSyn);
  const IpAddr drained = ip("10.0.0.2");
  int on_drained = histogram(first)[drained];
  ASSERT_GT(on_drained, 0);
  configure([&](Config& c) { return GetParam().drain(c, drained); });

  EXPECT_EQ(send_all(0, kClients, kTcpAck), first);
  auto fresh = histogram(send_all(kClients, kClients, kTcpSyn));
  EXPECT_EQ(fresh.count(drained), 0u);
  StatsSnapshot st = stats();
  Backend b = backend(drained);
  EXPECT_EQ(st.backends[b.id].new_flows, static_cast<uint64_t>(on_drained));
  EXPECT_EQ(st.backends[b.id].packets, 2u * on_drained);
  EXPECT_EQ(st.global[XLB_G_FLOW_REBALANCED], 0u);
}

// A SYN on a drained backend's flow is a client reusing its source port for
// a new connection: it must not go back to the drained backend.
TEST_P(DrainTest, NewSynOnAnOldTupleAvoidsTheDrainedBackend) {
  std::vector<IpAddr> first = send_all(0, kClients, kTcpSyn);
  const IpAddr drained = ip("10.0.0.2");
  ASSERT_GT(histogram(first)[drained], 0);
  configure([&](Config& c) { return GetParam().drain(c, drained); });

  std::vector<IpAddr> again = send_all(0, kClients, kTcpSyn);
  EXPECT_EQ(histogram(again).count(drained), 0u);
  for (int i = 0; i < kClients; i++) {
    if (first[i] != drained) {
      EXPECT_EQ(again[i], first[i]) << "client " << i << " moved";
    }
  }
  // The new connection's later packets follow the new choice.
  EXPECT_EQ(send_all(0, kClients, kTcpAck), again);
}

const DrainCase kDrains[] = {
    {"admin_disabled",
     [](Config& c, const IpAddr& a) { return backend_set_admin(c, kWeb, a, Admin::disabled); }},
    {"weight_0", [](Config& c, const IpAddr& a) { return backend_set_weight(c, kWeb, a, 0); }},
};

INSTANTIATE_TEST_SUITE_P(Drain, DrainTest, ::testing::ValuesIn(kDrains),
                         [](const auto& info) { return std::string(info.param.name); });

// Two ways to take a backend away from its flows: health down, deletion.
struct LossCase {
  const char* name;
  std::function<Status(Config&, const IpAddr&)> lose;
};

void PrintTo(const LossCase& c, std::ostream* os) { *os << c.name; }

class LossTest : public FlowTest, public ::testing::WithParamInterface<LossCase> {};

TEST_P(LossTest, FlowsOfALostBackendMoveToTheOthers) {
  std::vector<IpAddr> first = send_all(0, kClients, kTcpSyn);
  const IpAddr lost = ip("10.0.0.3");
  int on_lost = histogram(first)[lost];
  ASSERT_GT(on_lost, 0);
  configure([&](Config& c) { return GetParam().lose(c, lost); });

  std::vector<IpAddr> second = send_all(0, kClients, kTcpAck);
  for (int i = 0; i < kClients; i++) {
    EXPECT_NE(second[i], lost);
    if (first[i] != lost) {
      EXPECT_EQ(second[i], first[i]) << "client " << i << " moved";
    }
  }
  EXPECT_EQ(stats().global[XLB_G_FLOW_REBALANCED], static_cast<uint64_t>(on_lost));
  // Re-balanced flows are written back: the third packet is not re-balanced.
  EXPECT_EQ(send_all(0, kClients, kTcpAck), second);
  EXPECT_EQ(stats().global[XLB_G_FLOW_REBALANCED], static_cast<uint64_t>(on_lost));
  for (const Flow& f : flows()) EXPECT_EQ(f.backend_id, backend(second[f.client_port - 1024]).id);
}

const LossCase kLosses[] = {
    {"health_down",
     [](Config& c, const IpAddr& a) { return backend_set_health(c, kWeb, a, Health::down); }},
    {"deleted", [](Config& c, const IpAddr& a) { return backend_del(c, kWeb, a); }},
};

INSTANTIATE_TEST_SUITE_P(Loss, LossTest, ::testing::ValuesIn(kLosses),
                         [](const auto& info) { return std::string(info.param.name); });

TEST_F(FlowTest, BackendBackUpDoesNotTakeBackMovedFlows) {
  std::vector<IpAddr> first = send_all(0, kClients, kTcpSyn);
  const IpAddr b3 = ip("10.0.0.3");
  configure([&](Config& c) { return backend_set_health(c, kWeb, b3, Health::down); });
  std::vector<IpAddr> moved = send_all(0, kClients, kTcpAck);
  configure([&](Config& c) { return backend_set_health(c, kWeb, b3, Health::up); });
  EXPECT_EQ(send_all(0, kClients, kTcpAck), moved);
  // New flows reach it again.
  EXPECT_GT(histogram(send_all(kClients, kClients, kTcpSyn))[b3], 0);
}

TEST_F(FlowTest, SourceHashingSendsAClientToOneBackendWhateverItsPort) {
  configure([](Config& c) {
    ServiceChange ch;
    ch.sched = Sched::sh;
    return service_set(c, kWeb, ch);
  });
  std::set<IpAddr> seen_for_client, seen_overall;
  for (uint32_t port = 1024; port < 1124; port++) {
    PacketSpec p = make_packet("198.51.100.7", "192.0.2.10", kProtoTcp, port, 80);
    seen_for_client.insert(run_to_backend(frame(p)));
  }
  EXPECT_EQ(seen_for_client.size(), 1u);
  for (int i = 0; i < 100; i++) seen_overall.insert(run_to_backend(client_packet(i, kTcpSyn)));
  EXPECT_EQ(seen_overall.size(), 3u);
}

TEST_F(FlowTest, FlowsOfADeletedServiceAreNotForwarded) {
  send_all(0, 20, kTcpSyn);
  configure([](Config& c) -> Status {
    XLB_TRY(service_add(c, make_service("other", Proto::tcp, "192.0.2.10", 443)));
    return service_del(c, kWeb);
  });
  for (int i = 0; i < 20; i++) EXPECT_EQ(run(client_packet(i, kTcpAck)).action, XDP_DROP);
  EXPECT_EQ(stats().global[XLB_G_DROP_NO_SERVICE], 20u);
  // With the VIP gone altogether, they are not even ours.
  configure([](Config& c) { return service_del(c, by_name("other")); });
  for (int i = 0; i < 20; i++) EXPECT_EQ(run(client_packet(i, kTcpAck)).action, XDP_PASS);
}

// bpf/flows.h: established flows are found before the service, so a more
// specific service added later takes new flows only.
TEST_F(FlowTest, AMoreSpecificServiceTakesNewFlowsOnly) {
  configure([](Config& c) -> Status {
    Service any = make_service("any", Proto::tcp, "192.0.2.30", 0);
    any.backends.push_back(make_backend("10.0.3.1", backend_mac(31)));
    return service_add(c, std::move(any));
  });
  auto packet = [](uint32_t i, uint8_t flags) {
    PacketSpec p = make_packet("0.0.0.0", "192.0.2.30", kProtoTcp, 1024 + i, 8080, flags);
    p.ip.src = client_addr(i);
    return frame(p);
  };
  for (int i = 0; i < 10; i++) EXPECT_EQ(run_to_backend(packet(i, kTcpSyn)), ip("10.0.3.1"));
  configure([](Config& c) -> Status {
    Service exact = make_service("exact", Proto::tcp, "192.0.2.30", 8080);
    exact.backends.push_back(make_backend("10.0.3.2", backend_mac(32)));
    return service_add(c, std::move(exact));
  });
  for (int i = 0; i < 10; i++) EXPECT_EQ(run_to_backend(packet(i, kTcpAck)), ip("10.0.3.1"));
  for (int i = 10; i < 20; i++) EXPECT_EQ(run_to_backend(packet(i, kTcpSyn)), ip("10.0.3.2"));
  StatsSnapshot st = stats();
  EXPECT_EQ(st.services[service("any").id].packets, 20u);
  EXPECT_EQ(st.services[service("exact").id].packets, 10u);
}

TEST_F(FlowTest, ServiceWithNoUsableBackendDrops) {
  configure([](Config& c) -> Status {
    for (uint32_t i = 1; i <= 3; i++) {
      std::string a = "10.0.0." + std::to_string(i);
      XLB_TRY(backend_set_health(c, kWeb, ip(a.c_str()), Health::down));
    }
    return Status{};
  });
  TestRunOutput out = run(client_packet(1, kTcpSyn));
  EXPECT_EQ(out.action, XDP_DROP);
  StatsSnapshot st = stats();
  EXPECT_EQ(st.global[XLB_G_DROP_NO_BACKEND], 1u);
  EXPECT_EQ(st.global[XLB_G_DROP], 1u);
  EXPECT_TRUE(flows().empty());
}

}  // namespace
}  // namespace xlb::test
