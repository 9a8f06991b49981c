// Flow sync install (core/sync/flow_table.cpp) into the real flow table,
// then packets through the real program: a peer's flow carries on to the
// peer's backend even where this load balancer's table chooses another;
// unknown backends are skipped; a newer local entry is never overridden.
#include <bpf/bpf.h>
#include <netinet/in.h>

#include "datapath_fixture.hpp"
#include "model/ops.hpp"
#include "sync/flow_table.hpp"
#include "sync/resolver.hpp"

namespace xlb::test {
namespace {

class SyncInstallTest : public DatapathTest {
 protected:
  void SetUp() override {
    DatapathTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    configure([](Config& c) {
      Service s = make_service("web", Proto::tcp, "192.0.2.10", 80);
      for (uint32_t i = 1; i <= 4; i++) {
        std::string a = "10.0.0." + std::to_string(i);
        s.backends.push_back(make_backend(a.c_str(), backend_mac(i)));
      }
      return service_add(c, std::move(s));
    });
  }

  // Client i's flow as a peer sends it, to backend `be`.
  static sync::FlowRecord peer_flow(int i, const IpAddr& be, uint16_t age = 1) {
    sync::FlowRecord r;
    r.key = flow_key(Proto::tcp, Endpoint{client_addr(i), uint16_t(1024 + i)},
                     Endpoint{ip("192.0.2.10"), 80});
    r.svc_port = 80;
    r.backend = be;
    r.age = age;
    return r;
  }

  sync::InstallResult install(const std::vector<sync::FlowRecord>& f) {
    sync::Resolver r(config());
    return sync::install_flows(maps().flows(), r, f, sync::monotonic_seconds());
  }

  // A backend other than the one this table gives client i.
  IpAddr other_than_table(int i) {
    const IpAddr mine = run_to_backend(client_packet(i, kTcpSyn));
    auto flushed = flush_flows(maps(), [](const Flow&) { return true; });
    EXPECT_TRUE(flushed.ok());
    return mine == ip("10.0.0.1") ? ip("10.0.0.2") : ip("10.0.0.1");
  }
};

TEST_F(SyncInstallTest, PeersFlowKeepsThePeersBackend) {
  std::vector<sync::FlowRecord> f;
  std::vector<IpAddr> want;
  for (int i = 0; i < 50; i++) {
    want.push_back(other_than_table(i));
    f.push_back(peer_flow(i, want.back()));
  }
  const uint64_t before = stats().global[XLB_G_NEW_FLOW];
  auto r = install(f);
  EXPECT_EQ(r.installed, 50u);
  EXPECT_EQ(send_all(0, 50, kTcpAck), want);
  EXPECT_EQ(stats().global[XLB_G_NEW_FLOW], before);  // found, not created
}

TEST_F(SyncInstallTest, UnknownBackendIsSkippedAndCounted) {
  auto r = install({peer_flow(1, ip("10.9.9.9")), peer_flow(2, ip("10.0.0.3"))});
  EXPECT_EQ(r.unknown, 1u);
  EXPECT_EQ(r.installed, 1u);
  EXPECT_EQ(*count_flows(maps()), 1u);
  EXPECT_EQ(flows().size(), 1u);
}

TEST_F(SyncInstallTest, NewerLocalEntryIsNotOverridden) {
  const IpAddr mine = run_to_backend(client_packet(5, kTcpAck));  // seen now
  const IpAddr other = mine == ip("10.0.0.1") ? ip("10.0.0.2") : ip("10.0.0.1");
  auto r = install({peer_flow(5, other, 3)});  // the peer saw it 3 s ago
  EXPECT_EQ(r.kept_local, 1u);
  EXPECT_EQ(r.installed, 0u);
  EXPECT_EQ(run_to_backend(client_packet(5, kTcpAck)), mine);
}

TEST_F(SyncInstallTest, OlderLocalEntryIsReplaced) {
  const IpAddr mine = run_to_backend(client_packet(6, kTcpAck));
  const IpAddr other = mine == ip("10.0.0.1") ? ip("10.0.0.2") : ip("10.0.0.1");
  // Make the local entry 30 s old; the peer's is 1 s old.
  xlb_flow_key k = peer_flow(6, other).key;
  xlb_flow v{};
  ASSERT_EQ(bpf_map_lookup_elem(maps().flows(), &k, &v), 0);
  v.last_seen -= 30;
  ASSERT_EQ(bpf_map_update_elem(maps().flows(), &k, &v, BPF_EXIST), 0);
  EXPECT_EQ(install({peer_flow(6, other, 1)}).installed, 1u);
  EXPECT_EQ(run_to_backend(client_packet(6, kTcpAck)), other);
}

}  // namespace
}  // namespace xlb::test
