// ICMP errors about a VIP flow (fragmentation needed, packet too big) reach
// the backend of that flow, so path MTU discovery works through DSR.
#include <linux/bpf.h>

#include <set>

#include "datapath_fixture.hpp"
#include "model/ops.hpp"

namespace xlb::test {
namespace {

constexpr int kClients = 60;

struct Family {
  const char* name;
  bool v6;
  const char* vip;
  uint16_t port;
  const char* router;
};

void PrintTo(const Family& f, std::ostream* os) { *os << f.name; }

const Family kFamilies[] = {
    {"ipv4", false, "192.0.2.10", 80, "203.0.113.1"},
    {"ipv6", true, "2001:db8::10", 443, "2001:db8:ffff::1"},
};

class IcmpTest : public DatapathTest, public ::testing::WithParamInterface<Family> {
 protected:
  void SetUp() override {
    DatapathTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    configure([](Config& c) -> Status {
      Service s4 = make_service("web4", Proto::tcp, "192.0.2.10", 80);
      Service s6 = make_service("web6", Proto::tcp, "2001:db8::10", 443);
      for (uint32_t i = 1; i <= 3; i++) {
        s4.backends.push_back(
            make_backend(("10.0.0." + std::to_string(i)).c_str(), backend_mac(i)));
        s6.backends.push_back(
            make_backend(("fd00::" + std::to_string(i)).c_str(), backend_mac(10 + i)));
      }
      XLB_TRY(service_add(c, std::move(s4)));
      return service_add(c, std::move(s6));
    });
  }

  // Client i's packet to the VIP.
  PacketSpec request(uint32_t i) const {
    const Family& f = GetParam();
    PacketSpec p = make_packet("0.0.0.0", f.vip, kProtoTcp, 2000 + i, f.port, kTcpAck);
    p.ip.src = client_addr(i, f.v6);
    return p;
  }

  // The backend's reply to client i, as a router on the way quotes it.
  Bytes reply(uint32_t i) const {
    PacketSpec p = request(i);
    std::swap(p.ip.src, p.ip.dst);
    std::swap(p.l4.sport, p.l4.dport);
    p.ip.dont_fragment = true;
    p.l4.payload = Bytes(1400, 0x33);
    return ip_packet(p.ip, l4_segment(p.ip, p.l4));
  }

  Bytes too_big(uint32_t i, size_t quote_len = 576) const {
    const Family& f = GetParam();
    return icmp_too_big_frame(EthSpec{}, ip(f.router), ip(f.vip), reply(i), 1280, quote_len);
  }

  void add_backends() {
    const Family& f = GetParam();
    configure([&](Config& c) -> Status {
      for (uint32_t i = 4; i <= 8; i++) {
        std::string a = (f.v6 ? "fd00::" : "10.0.0.") + std::to_string(i);
        XLB_TRY(backend_add(c, by_name(f.v6 ? "web6" : "web4"),
                            make_backend(a.c_str(), backend_mac((f.v6 ? 10 : 0) + i))));
      }
      return Status{};
    });
  }
};

TEST_P(IcmpTest, TooBigReachesTheBackendOfItsFlow) {
  std::vector<IpAddr> owner;
  for (int i = 0; i < kClients; i++) owner.push_back(run_to_backend(frame(request(i))));
  // Change the table so that the flow table, not Maglev, must answer.
  std::set<IpAddr> original;
  for (const Backend& b : service(GetParam().v6 ? "web6" : "web4").backends)
    original.insert(b.addr);
  add_backends();
  for (int i = 0; i < kClients; i++) EXPECT_EQ(run_to_backend(too_big(i)), owner[i]) << i;
  int to_new = 0;
  for (int i = kClients; i < 3 * kClients; i++)
    to_new += original.count(run_to_backend(frame(request(i)))) == 0;
  EXPECT_GT(to_new, 0) << "the new backends never get flows: the test proves nothing";
  StatsSnapshot st = stats();
  EXPECT_EQ(st.global[XLB_G_ICMP_TO_FLOW], static_cast<uint64_t>(kClients));
  EXPECT_EQ(st.global[XLB_G_NEW_FLOW], 3u * kClients);
}

TEST_P(IcmpTest, WithoutAFlowTooBigGetsTheChoiceTheFlowWouldGet) {
  std::vector<IpAddr> by_icmp;
  for (int i = 0; i < kClients; i++) by_icmp.push_back(run_to_backend(too_big(i)));
  EXPECT_TRUE(flows().empty()) << "ICMP must not create flows";
  for (int i = 0; i < kClients; i++) EXPECT_EQ(run_to_backend(frame(request(i))), by_icmp[i]);
  EXPECT_EQ(stats().global[XLB_G_ICMP_TO_FLOW], static_cast<uint64_t>(kClients));
}

TEST_P(IcmpTest, ShortestQuoteWithPortsIsEnough) {
  size_t header = GetParam().v6 ? 40 : 20;
  Bytes icmp = too_big(0, header + 8);
  IpAddr to = run_to_backend(icmp);
  EXPECT_EQ(run_to_backend(frame(request(0))), to);
}

TEST_P(IcmpTest, QuoteCutBeforeThePortsIsMalformed) {
  size_t header = GetParam().v6 ? 40 : 20;
  for (size_t len : {size_t{0}, size_t{8}, header - 1, header, header + 3}) {
    SCOPED_TRACE(len);
    Bytes icmp = too_big(0, len);
    TestRunOutput out = run(icmp);
    EXPECT_EQ(out.action, XDP_DROP);
    EXPECT_EQ(out.frame, icmp);
  }
  EXPECT_EQ(stats().global[XLB_G_DROP_MALFORMED], 5u);
}

TEST_P(IcmpTest, ErrorQuotingAnotherSourceIsDropped) {
  const Family& f = GetParam();
  PacketSpec p = request(0);
  std::swap(p.ip.src, p.ip.dst);
  std::swap(p.l4.sport, p.l4.dport);
  p.ip.src = ip(f.v6 ? "2001:db8::99" : "192.0.2.99");  // not the VIP it was sent to
  Bytes quoted = ip_packet(p.ip, l4_segment(p.ip, p.l4));
  TestRunOutput out = run(icmp_too_big_frame(EthSpec{}, ip(f.router), ip(f.vip), quoted, 1280));
  EXPECT_EQ(out.action, XDP_DROP);
  EXPECT_EQ(stats().global[XLB_G_DROP_NO_SERVICE], 1u);
}

TEST_P(IcmpTest, OtherErrorsToAVipAreDropped) {
  const Family& f = GetParam();
  // IPv4 port unreachable, ICMPv6 destination unreachable.
  Bytes icmp =
      icmp_error_frame(EthSpec{}, ip(f.router), ip(f.vip), f.v6 ? 1 : 3, f.v6 ? 4 : 3, 0, reply(0));
  TestRunOutput out = run(icmp);
  EXPECT_EQ(out.action, XDP_DROP);
  EXPECT_EQ(stats().global[XLB_G_DROP_NO_SERVICE], 1u);
  EXPECT_EQ(stats().global[XLB_G_ICMP_TO_FLOW], 0u);
}

TEST_P(IcmpTest, TooBigAboutAPortWithoutServiceIsDropped) {
  const Family& f = GetParam();
  PacketSpec p = request(0);
  p.l4.dport = 9999;
  std::swap(p.ip.src, p.ip.dst);
  std::swap(p.l4.sport, p.l4.dport);
  Bytes quoted = ip_packet(p.ip, l4_segment(p.ip, p.l4));
  TestRunOutput out = run(icmp_too_big_frame(EthSpec{}, ip(f.router), ip(f.vip), quoted, 1280));
  EXPECT_EQ(out.action, XDP_DROP);
  EXPECT_EQ(stats().global[XLB_G_DROP_NO_SERVICE], 1u);
}

INSTANTIATE_TEST_SUITE_P(Family, IcmpTest, ::testing::ValuesIn(kFamilies),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace xlb::test
