// Flow sync export (bpf/sync_export.h): with xlb_sync_ctl's export flag set,
// every flow entry the datapath creates becomes one event in xlb_sync_ring
// naming the backend by service and address; long-lived flows are exported
// again once per interval; with the flag clear nothing is written.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <netinet/in.h>
#include <unistd.h>

#include <ctime>
#include <vector>

#include "datapath_fixture.hpp"
#include "model/ops.hpp"

namespace xlb::test {
namespace {

class SyncExportTest : public DatapathTest {
 protected:
  void SetUp() override {
    DatapathTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    configure([](Config& c) -> Status {
      Service web = make_service("web", Proto::tcp, "192.0.2.10", 80);
      for (uint32_t i = 1; i <= 3; i++) {
        std::string a = "10.0.0." + std::to_string(i);
        web.backends.push_back(make_backend(a.c_str(), backend_mac(i)));
      }
      XLB_TRY(service_add(c, std::move(web)));
      Service any = make_service("any", Proto::udp, "192.0.2.10", 0);
      any.backends.push_back(make_backend("10.0.0.9", backend_mac(9)));
      return service_add(c, std::move(any));
    });
    ctl_fd_ = bpf_obj_get((pin_path() + "/xlb_sync_ctl").c_str());
    ring_fd_ = bpf_obj_get((pin_path() + "/xlb_sync_ring").c_str());
    ASSERT_GE(ctl_fd_, 0);
    ASSERT_GE(ring_fd_, 0);
    ring_ = ring_buffer__new(ring_fd_, &SyncExportTest::on_event, &events_, nullptr);
    ASSERT_NE(ring_, nullptr);
  }

  void TearDown() override {
    if (ring_) ring_buffer__free(ring_);
    if (ctl_fd_ >= 0) close(ctl_fd_);
    if (ring_fd_ >= 0) close(ring_fd_);
  }

  static int on_event(void* ctx, void* data, size_t size) {
    auto* out = static_cast<std::vector<xlb_sync_event>*>(ctx);
    if (size == sizeof(xlb_sync_event)) out->push_back(*static_cast<xlb_sync_event*>(data));
    return 0;
  }

  void set_export(bool on, uint32_t interval = 5) {
    xlb_sync_ctl c{on ? XLB_SYNC_EXPORT : 0u, interval};
    uint32_t zero = 0;
    ASSERT_EQ(bpf_map_update_elem(ctl_fd_, &zero, &c, BPF_ANY), 0);
  }

  std::vector<xlb_sync_event> drain() {
    events_.clear();
    ring_buffer__consume(ring_);
    return events_;
  }

  int ctl_fd_ = -1, ring_fd_ = -1;
  ring_buffer* ring_ = nullptr;
  std::vector<xlb_sync_event> events_;
};

TEST_F(SyncExportTest, SynWithExportOnIsOneEventNamingServiceAndBackend) {
  set_export(true);
  const IpAddr to = run_to_backend(client_packet(7, kTcpSyn));
  auto ev = drain();
  ASSERT_EQ(ev.size(), 1u);
  const xlb_sync_event& e = ev[0];
  EXPECT_EQ(IpAddr::from_abi(e.key.src, e.key.family), client_addr(7));
  EXPECT_EQ(IpAddr::from_abi(e.key.dst, e.key.family), ip("192.0.2.10"));
  EXPECT_EQ(ntohs(e.key.sport), 1024 + 7);
  EXPECT_EQ(ntohs(e.key.dport), 80);
  EXPECT_EQ(e.key.proto, IPPROTO_TCP);
  EXPECT_EQ(ntohs(e.svc_port), 80);
  EXPECT_EQ(IpAddr::from_abi(e.backend, e.be_family), to);
  EXPECT_EQ(e.flags, XLB_FLOW_SYN_ONLY);
  // A retransmitted SYN is not a new flow: no second event.
  run_to_backend(client_packet(7, kTcpSyn));
  EXPECT_TRUE(drain().empty());
}

TEST_F(SyncExportTest, ExportOffWritesNothing) {
  set_export(false);
  send_all(0, 20, kTcpSyn);
  send_all(0, 20, kTcpAck);
  EXPECT_TRUE(drain().empty());
  EXPECT_EQ(stats().global[XLB_G_SYNC_RING_FULL], 0u);
}

TEST_F(SyncExportTest, PortZeroServiceIsNamedByPortZero) {
  set_export(true);
  PacketSpec p = make_packet("100.64.0.1", "192.0.2.10", IPPROTO_UDP, 5000, 53);
  ASSERT_EQ(run(frame(p)).action, XDP_TX);
  auto ev = drain();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].svc_port, 0);
  EXPECT_EQ(ntohs(ev[0].key.dport), 53);
  EXPECT_EQ(IpAddr::from_abi(ev[0].backend, ev[0].be_family), ip("10.0.0.9"));
  EXPECT_EQ(ev[0].flags, 0);
}

TEST_F(SyncExportTest, FirstAckEndsSynOnlyAndIsExportedOnce) {
  set_export(true);
  run_to_backend(client_packet(3, kTcpSyn));
  run_to_backend(client_packet(3, kTcpAck));
  run_to_backend(client_packet(3, kTcpAck));
  auto ev = drain();
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].flags, XLB_FLOW_SYN_ONLY);
  EXPECT_EQ(ev[1].flags, 0);
}

// Makes the entry of `k` look last seen `seen_ago` seconds ago and last
// exported `exported_ago` seconds ago.
void age_entry(const Maps& m, const xlb_flow_key& k, uint32_t seen_ago, uint32_t exported_ago) {
  xlb_flow f{};
  ASSERT_EQ(bpf_map_lookup_elem(m.flows(), &k, &f), 0);
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  const auto now = static_cast<uint32_t>(ts.tv_sec);
  f.last_seen = now - seen_ago;
  f.exported = static_cast<uint16_t>(now - exported_ago);
  ASSERT_EQ(bpf_map_update_elem(m.flows(), &k, &f, BPF_EXIST), 0);
}

// The same for client i's TCP flow to 192.0.2.10:80.
void age_entry(const Maps& m, int i, uint32_t seen_ago, uint32_t exported_ago) {
  age_entry(m,
            flow_key(Proto::tcp, Endpoint{client_addr(i), uint16_t(1024 + i)},
                     Endpoint{ip("192.0.2.10"), 80}),
            seen_ago, exported_ago);
}

TEST_F(SyncExportTest, LongLivedFlowIsRefreshedOncePerInterval) {
  set_export(true, 5);
  run_to_backend(client_packet(1, kTcpAck));
  ASSERT_EQ(drain().size(), 1u);
  age_entry(maps(), 1, 1, 2);  // refreshed, but exported 2 s ago: not due
  run_to_backend(client_packet(1, kTcpAck));
  EXPECT_TRUE(drain().empty());
  age_entry(maps(), 1, 1, 6);  // due
  run_to_backend(client_packet(1, kTcpAck));
  EXPECT_EQ(drain().size(), 1u);
  run_to_backend(client_packet(1, kTcpAck));  // same second: not written
  EXPECT_TRUE(drain().empty());
}

// An established flow is sent without looking its VIP up (flows first),
// so its refresh export looks the VIP up to name the service: a port-0
// service's flow is still named by port 0.
TEST_F(SyncExportTest, RefreshOfAPortZeroServicesFlowIsNamedByPortZero) {
  set_export(true, 5);
  PacketSpec p = make_packet("100.64.0.1", "192.0.2.10", IPPROTO_UDP, 5000, 53);
  ASSERT_EQ(run(frame(p)).action, XDP_TX);
  ASSERT_EQ(drain().size(), 1u);
  age_entry(maps(),
            flow_key(Proto::udp, Endpoint{ip("100.64.0.1"), 5000}, Endpoint{ip("192.0.2.10"), 53}),
            1, 6);
  ASSERT_EQ(run(frame(p)).action, XDP_TX);
  auto ev = drain();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].svc_port, 0);
  EXPECT_EQ(ntohs(ev[0].key.dport), 53);
}

}  // namespace
}  // namespace xlb::test
