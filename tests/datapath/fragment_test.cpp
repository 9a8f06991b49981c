// Fragments, as bpf/lookup.h documents them: served only by a port-0
// service, balanced by the 3-tuple so that every fragment of a datagram
// reaches one backend; dropped and counted when the VIP has no port-0
// service for the protocol.
#include <linux/bpf.h>

#include <algorithm>
#include <set>

#include "datapath_fixture.hpp"
#include "model/ops.hpp"

namespace xlb::test {
namespace {

constexpr int kDatagrams = 40;

struct Family {
  const char* name;
  bool v6;
  const char* any_vip;    // udp port-0 service, plus an exact udp :53 service
  const char* exact_vip;  // tcp :80 only
};

void PrintTo(const Family& f, std::ostream* os) { *os << f.name; }

const Family kFamilies[] = {
    {"ipv4", false, "192.0.2.20", "192.0.2.10"},
    {"ipv6", true, "2001:db8::20", "2001:db8::10"},
};

class FragmentTest : public DatapathTest, public ::testing::WithParamInterface<Family> {
 protected:
  void SetUp() override {
    DatapathTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    const Family& f = GetParam();
    configure([&](Config& c) -> Status {
      Service any = make_service("any", Proto::udp, f.any_vip, 0);
      Service dns = make_service("dns", Proto::udp, f.any_vip, 53);
      Service web = make_service("web", Proto::tcp, f.exact_vip, 80);
      for (uint32_t i = 1; i <= 4; i++) {
        any.backends.push_back(make_backend(addr(i).c_str(), backend_mac(i)));
        dns.backends.push_back(make_backend(addr(10 + i).c_str(), backend_mac(10 + i)));
        web.backends.push_back(make_backend(addr(20 + i).c_str(), backend_mac(20 + i)));
      }
      XLB_TRY(service_add(c, std::move(any)));
      XLB_TRY(service_add(c, std::move(dns)));
      return service_add(c, std::move(web));
    });
  }

  std::string addr(uint32_t i) const {
    return (GetParam().v6 ? "fd00::" : "10.0.0.") + std::to_string(i);
  }

  PacketSpec datagram(uint32_t i, const char* vip, uint8_t proto, uint16_t port) const {
    PacketSpec p = make_packet("0.0.0.0", vip, proto, 3000 + i, port, kTcpAck);
    p.ip.src = client_addr(i, GetParam().v6);
    p.ip.frag_id = 0x1000 + i;
    p.l4.payload = Bytes(300, static_cast<uint8_t>(i));
    return p;
  }

  std::set<IpAddr> backends_of(const char* name) const {
    std::set<IpAddr> out;
    for (const Backend& b : service(name).backends) out.insert(b.addr);
    return out;
  }
};

TEST_P(FragmentTest, AllFragmentsOfADatagramReachOneBackendOfThePort0Service) {
  const Family& f = GetParam();
  std::set<IpAddr> any = backends_of("any"), used;
  for (int i = 0; i < kDatagrams; i++) {
    SCOPED_TRACE(i);
    // Port 53 has its own service, but fragments are not balanced by port.
    std::vector<Bytes> frags = fragment_frames(datagram(i, f.any_vip, kProtoUdp, 53), 128);
    ASSERT_EQ(frags.size(), 3u);
    if (i % 2) std::reverse(frags.begin(), frags.end());  // a later fragment first
    std::set<IpAddr> to;
    for (const Bytes& fr : frags) to.insert(run_to_backend(fr));
    ASSERT_EQ(to.size(), 1u);
    EXPECT_TRUE(any.count(*to.begin()));
    used.insert(*to.begin());
  }
  EXPECT_GT(used.size(), 1u) << "3-tuples of distinct clients should spread";
  // One flow per datagram's 3-tuple, without ports.
  std::vector<Flow> fl = flows();
  EXPECT_EQ(fl.size(), static_cast<size_t>(kDatagrams));
  for (const Flow& x : fl) {
    EXPECT_EQ(x.client_port, 0);
    EXPECT_EQ(x.vip_port, 0);
    EXPECT_EQ(x.service_id, service("any").id);
  }
  StatsSnapshot st = stats();
  EXPECT_EQ(st.global[XLB_G_TX], 3u * kDatagrams);
  EXPECT_EQ(st.services[service("any").id].packets, 3u * kDatagrams);
  EXPECT_EQ(st.services[service("dns").id].packets, 0u);
}

TEST_P(FragmentTest, UnfragmentedDatagramStillUsesItsExactService) {
  IpAddr to = run_to_backend(frame(datagram(0, GetParam().any_vip, kProtoUdp, 53)));
  EXPECT_TRUE(backends_of("dns").count(to));
}

TEST_P(FragmentTest, FragmentsWithoutAPort0ServiceAreDropped) {
  const Family& f = GetParam();
  size_t sent = 0;
  for (int i = 0; i < 5; i++) {
    for (const Bytes& fr : fragment_frames(datagram(i, f.exact_vip, kProtoTcp, 80), 128)) {
      TestRunOutput out = run(fr);
      EXPECT_EQ(out.action, XDP_DROP);
      EXPECT_EQ(out.frame, fr);
      sent++;
    }
  }
  // The VIP with a udp port-0 service has none for tcp.
  for (const Bytes& fr : fragment_frames(datagram(9, f.any_vip, kProtoTcp, 80), 128)) {
    EXPECT_EQ(run(fr).action, XDP_DROP);
    sent++;
  }
  StatsSnapshot st = stats();
  EXPECT_EQ(st.global[XLB_G_DROP_FRAGMENT], sent);
  EXPECT_EQ(st.global[XLB_G_DROP], sent);
  EXPECT_TRUE(flows().empty());
}

TEST_P(FragmentTest, LaterFragmentIsNeverReadForPorts) {
  // A later fragment whose data starts with bytes that would read as
  // ports 53 -> 53 still goes by the 3-tuple, like its first fragment.
  const Family& f = GetParam();
  PacketSpec p = datagram(7, f.any_vip, kProtoUdp, 9999);
  p.l4.payload = Bytes(400, 0);
  for (size_t at = 120; at < 400; at += 2) {  // fragment 2 starts at payload byte 120
    p.l4.payload[at] = 0;
    p.l4.payload[at + 1] = 53;
  }
  std::vector<Bytes> frags = fragment_frames(p, 128);
  IpAddr first = run_to_backend(frags[0]);
  for (size_t i = 1; i < frags.size(); i++) EXPECT_EQ(run_to_backend(frags[i]), first);
  EXPECT_TRUE(backends_of("any").count(first));
}

INSTANTIATE_TEST_SUITE_P(Family, FragmentTest, ::testing::ValuesIn(kFamilies),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace xlb::test
