// The capture balancer (xlb_xdp_capture, capture.h): it balances as the
// plain one does, and writes each frame as it arrived (before the MAC
// rewrite) with its verdict, and a drop's reason, into xlb_capture_ring.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <unistd.h>

#include "datapath_fixture.hpp"
#include "model/ops.hpp"

namespace xlb::test {
namespace {

class CaptureTest : public DatapathTest {
 protected:
  void SetUp() override {
    DatapathTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    configure([](Config& c) -> Status {
      Service s = make_service("web", Proto::tcp, "192.0.2.10", 80);
      s.backends.push_back(make_backend("10.0.0.1", backend_mac(1)));
      return service_add(c, std::move(s));
    });
    auto p = load_capture_datapath({pin_path(), Capacities{}, kIfaceMac});
    ASSERT_TRUE(p) << p.error().message;
    capture_ = std::move(*p);
    int ring = bpf_obj_get((pin_path() + "/xlb_capture_ring").c_str());
    ASSERT_GE(ring, 0);
    rb_ = ring_buffer__new(ring, &CaptureTest::on_event, &events_, nullptr);
    close(ring);
    ASSERT_NE(rb_, nullptr);
  }
  void TearDown() override {
    if (rb_) ring_buffer__free(rb_);
  }

  static int on_event(void* ctx, void* data, size_t size) {
    EXPECT_EQ(size, sizeof(xlb_capture_event));
    static_cast<std::vector<xlb_capture_event>*>(ctx)->push_back(
        *static_cast<xlb_capture_event*>(data));
    return 0;
  }
  TestRunOutput run_captured(const Bytes& frame) {
    auto out = test_run(capture_.fd(), frame);
    EXPECT_TRUE(out) << out.error().message;
    ring_buffer__consume(rb_);
    return out ? *out : TestRunOutput{};
  }
  static Bytes head(const xlb_capture_event& ev) { return Bytes(ev.data, ev.data + ev.cap_len); }

  LoadedProgram capture_;
  ring_buffer* rb_ = nullptr;
  std::vector<xlb_capture_event> events_;
};

TEST_F(CaptureTest, BalancedFrameIsCapturedAsItArrived) {
  const Bytes in = client_packet(1, kTcpSyn);
  TestRunOutput out = run_captured(in);
  EXPECT_EQ(out.action, uint32_t{XDP_TX});
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_EQ(events_[0].verdict, uint32_t{XDP_TX});
  EXPECT_EQ(events_[0].reason, 0u);
  EXPECT_EQ(events_[0].wire_len, in.size());
  EXPECT_EQ(head(events_[0]), in) << "the frame before the MAC rewrite";
  EXPECT_NE(out.frame, in) << "the frame sent is rewritten";
  EXPECT_EQ(flows().size(), 1u) << "the capture balancer balances";
}

TEST_F(CaptureTest, DropCarriesItsReason) {
  const Bytes in = frame(make_packet("198.51.100.7", "192.0.2.10", IPPROTO_TCP, 4000, 81));
  EXPECT_EQ(run_captured(in).action, uint32_t{XDP_DROP});
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_EQ(events_[0].verdict, uint32_t{XDP_DROP});
  EXPECT_EQ(events_[0].reason, uint32_t{XLB_G_DROP_NO_SERVICE});
  // The next packet's reason does not leak from this one.
  run_captured(client_packet(2, kTcpSyn));
  ASSERT_EQ(events_.size(), 2u);
  EXPECT_EQ(events_[1].reason, 0u);
}

TEST_F(CaptureTest, LongFrameIsCutAtTheSnapLength) {
  PacketSpec p = make_packet("198.51.100.7", "192.0.2.10", IPPROTO_TCP, 4000, 80);
  p.l4.payload.assign(1000, 0xab);
  const Bytes in = frame(p);
  run_captured(in);
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_EQ(events_[0].wire_len, in.size());
  EXPECT_EQ(events_[0].cap_len, uint32_t{XLB_CAPTURE_SNAP_MAX});
  EXPECT_EQ(head(events_[0]), Bytes(in.begin(), in.begin() + XLB_CAPTURE_SNAP_MAX));
}

TEST_F(CaptureTest, PlainBalancerWritesNoEvents) {
  EXPECT_EQ(run(client_packet(3, kTcpSyn)).action, uint32_t{XDP_TX});
  ring_buffer__consume(rb_);
  EXPECT_TRUE(events_.empty());
}

uint64_t lost_events(const std::string& pin_path) {
  int fd = bpf_obj_get((pin_path + "/xlb_capture_note").c_str());
  std::vector<xlb_capture_note> per_cpu(static_cast<size_t>(libbpf_num_possible_cpus()));
  uint32_t zero = 0;
  uint64_t lost = 0;
  if (fd >= 0 && bpf_map_lookup_elem(fd, &zero, per_cpu.data()) == 0)
    for (const auto& n : per_cpu) lost += n.lost;
  if (fd >= 0) close(fd);
  return lost;
}

// More frames than the ring holds, with nobody reading: the rest are
// counted as lost (what `xlb capture` reports as "M lost (ring full)"),
// none is both, and once read the ring takes events again.
TEST_F(CaptureTest, FullRingCountsTheLostEvents) {
  const Bytes in = frame(make_packet("198.51.100.7", "192.0.2.10", IPPROTO_TCP, 4000, 81));
  const uint32_t fits = XLB_CAPTURE_RING_BYTES / sizeof(xlb_capture_event);
  const uint32_t sent = fits + fits / 2;
  LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in.data(),
              .data_size_in = static_cast<uint32_t>(in.size()), .repeat = static_cast<int>(sent));
  ASSERT_EQ(bpf_prog_test_run_opts(capture_.fd(), &o), 0);
  EXPECT_EQ(o.retval, uint32_t{XDP_DROP});
  const uint64_t lost = lost_events(pin_path());
  ring_buffer__consume(rb_);
  EXPECT_GT(lost, fits / 4);
  EXPECT_LE(events_.size(), fits);
  EXPECT_EQ(events_.size() + lost, sent) << "each frame is either captured or counted lost";
  run_captured(in);
  EXPECT_EQ(lost_events(pin_path()), lost) << "room again after the ring was read";
}

}  // namespace
}  // namespace xlb::test
