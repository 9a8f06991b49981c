// The VIP bitmap (layout 9): a destination whose bit is clear is passed at
// once; a TCP or UDP packet that may be for a VIP looks its flow up before
// the VIP. An address that shares a VIP's bit is still no VIP: passed
// untouched, whole or cut, and no counter but `pass` moves; the VIP itself
// is balanced and its cut frames dropped as before.
#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "datapath_fixture.hpp"
#include "model/ops.hpp"

namespace xlb::test {
namespace {

class VipGateTest : public DatapathTest {
 protected:
  void SetUp() override {
    DatapathTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    configure([](Config& c) -> Status {
      Service s = make_service("web", Proto::tcp, "192.0.2.10", 80);
      Service u = make_service("dns", Proto::udp, "192.0.2.10", 53);
      s.backends.push_back(make_backend("10.0.0.1", backend_mac(1)));
      u.backends.push_back(make_backend("10.0.0.2", backend_mac(2)));
      XLB_TRY(service_add(c, std::move(s)));
      return service_add(c, std::move(u));
    });
  }
};

uint32_t bit_of(const IpAddr& a) {
  const xlb_addr abi = a.to_abi();
  return xlb_vip_bit(&abi);
}

// An address of 10.0.0.0/8 whose bit is the VIP's (about 256 of them).
IpAddr sharing_the_vips_bit() {
  const uint32_t want = bit_of(ip("192.0.2.10"));
  for (uint32_t n = 1; n < (1u << 24); n++) {
    IpAddr a = ip("10.0.0.0");
    a.bytes[1] = static_cast<uint8_t>(n >> 16);
    a.bytes[2] = static_cast<uint8_t>(n >> 8);
    a.bytes[3] = static_cast<uint8_t>(n);
    if (bit_of(a) == want) return a;
  }
  ADD_FAILURE() << "no address of 10/8 shares the VIP's bit";
  return ip("10.0.0.1");
}

PacketSpec ack_to(const IpAddr& dst, uint8_t proto = kProtoTcp, uint16_t port = 80) {
  PacketSpec p = make_packet("198.51.100.7", "192.0.2.10", proto, 40000, port, kTcpAck);
  p.ip.dst = dst;
  return p;
}

TEST_F(VipGateTest, AnAddressSharingAVipsBitIsPassedWholeOrCut) {
  const IpAddr other = sharing_the_vips_bit();
  ASSERT_NE(other, ip("192.0.2.10"));
  uint64_t passed = 0;
  for (uint8_t proto : {kProtoTcp, kProtoUdp}) {
    const Bytes f = frame(ack_to(other, proto, proto == kProtoTcp ? 80 : 53));
    for (size_t len = 14; len <= f.size(); len++) {
      SCOPED_TRACE(len);
      Bytes cut(f.begin(), f.begin() + len);
      auto out = test_run(prog_fd(), cut);
      ASSERT_TRUE(out.ok());
      EXPECT_EQ(out->action, XDP_PASS);
      EXPECT_EQ(out->frame, cut);
      passed++;
    }
  }
  StatsSnapshot st = stats();
  EXPECT_EQ(st.global[XLB_G_PASS], passed);
  EXPECT_EQ(st.global[XLB_G_DROP], 0u);
  EXPECT_EQ(st.global[XLB_G_DROP_MALFORMED], 0u);
  EXPECT_TRUE(flows().empty());
}

TEST_F(VipGateTest, TheVipIsBalancedAndItsCutFramesDropped) {
  const Bytes f = frame(ack_to(ip("192.0.2.10")));
  EXPECT_EQ(run_to_backend(f), ip("10.0.0.1"));
  EXPECT_EQ(run_to_backend(f), ip("10.0.0.1")) << "the established flow";
  Bytes cut(f.begin(), f.begin() + 14 + 20 + 10);  // half a TCP header
  EXPECT_EQ(run(cut).action, XDP_DROP);
  EXPECT_EQ(stats().global[XLB_G_DROP_MALFORMED], 1u);
}

// A VIP's bit is cleared when the VIP goes (the bitmap is the bank's), and
// a flow of the deleted VIP is no longer forwarded: its backend went with
// its service, so the flow lookup misses and the VIP lookup finds nothing.
TEST_F(VipGateTest, ADeletedVipsFlowsArePassed) {
  const Bytes tcp = frame(ack_to(ip("192.0.2.10")));
  const Bytes udp = frame(ack_to(ip("192.0.2.10"), kProtoUdp, 53));
  run_to_backend(tcp);
  run_to_backend(udp);
  configure([](Config& c) -> Status {
    XLB_TRY(service_del(c, by_name("web")));
    return service_del(c, by_name("dns"));
  });
  EXPECT_EQ(run(tcp).action, XDP_PASS);
  EXPECT_EQ(run(udp).action, XDP_PASS);
  uint32_t zero = 0;
  xlb_ctl ctl{};
  ASSERT_EQ(bpf_map_lookup_elem(maps().ctl(), &zero, &ctl), 0);
  xlb_vip_cover cover{};
  ASSERT_EQ(bpf_map_lookup_elem(maps().vip_cover(), &ctl.active_bank, &cover), 0);
  for (uint64_t word : cover.bits) EXPECT_EQ(word, 0u);
}

}  // namespace
}  // namespace xlb::test
