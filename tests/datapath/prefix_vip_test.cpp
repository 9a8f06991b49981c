// Prefix VIPs (tcp 192.0.2.0/28:80): every address of the prefix is a VIP
// of the service; an address outside it is not; an exact VIP inside it
// wins over the prefix; the longest of two prefixes wins.
#include <linux/bpf.h>

#include "datapath_fixture.hpp"
#include "model/ops.hpp"

namespace xlb::test {
namespace {

Bytes syn(const char* dst, uint16_t port, uint32_t client = 0) {
  PacketSpec p = make_packet("0.0.0.0", dst, kProtoTcp, 1024, port, kTcpSyn);
  p.ip.src = client_addr(client);
  return frame(p);
}

Bytes syn6(const char* dst, uint16_t port) {
  return frame(make_packet("2001:db8:100::7", dst, kProtoTcp, 1024, port, kTcpSyn));
}

Service prefix_service(const char* name, const char* vip, uint8_t len, uint16_t port,
                       std::vector<std::pair<const char*, uint32_t>> backends) {
  Service s = make_service(name, Proto::tcp, vip, port);
  s.vip_len = len;
  for (auto [a, m] : backends) s.backends.push_back(make_backend(a, backend_mac(m)));
  return s;
}

class PrefixVipTest : public DatapathTest {
 protected:
  void SetUp() override {
    DatapathTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    configure([](Config& c) -> Status {
      XLB_TRY(service_add(
          c, prefix_service("net", "192.0.2.0", 28, 80, {{"10.0.0.1", 1}, {"10.0.0.2", 2}})));
      // An exact VIP inside the prefix, with its own service.
      Service one = make_service("one", Proto::tcp, "192.0.2.5", 80);
      one.backends.push_back(make_backend("10.0.0.9", backend_mac(9)));
      XLB_TRY(service_add(c, one));
      return service_add(c, prefix_service("net6", "2001:db8::", 120, 443, {{"fd00::1", 11}}));
    });
  }

  bool in(const char* service, const IpAddr& a) const {
    return this->service(service).find_backend(a) != nullptr;
  }
};

TEST_F(PrefixVipTest, EveryAddressOfThePrefixIsBalanced) {
  for (const char* dst : {"192.0.2.0", "192.0.2.1", "192.0.2.14", "192.0.2.15"})
    EXPECT_TRUE(in("net", run_to_backend(syn(dst, 80)))) << dst;
  EXPECT_TRUE(in("net6", run_to_backend(syn6("2001:db8::ab", 443))));
  EXPECT_EQ(stats().global[XLB_G_DROP_NO_SERVICE], 0u);
}

TEST_F(PrefixVipTest, AddressesOutsideArePassed) {
  for (const char* dst : {"192.0.2.16", "192.0.1.255", "192.0.3.1"})
    EXPECT_EQ(run(syn(dst, 80)).action, static_cast<uint32_t>(XDP_PASS)) << dst;
  EXPECT_EQ(run(syn6("2001:db8::1:0", 443)).action, static_cast<uint32_t>(XDP_PASS));
}

TEST_F(PrefixVipTest, APortWithoutServiceIsDropped) {
  EXPECT_EQ(run(syn("192.0.2.3", 81)).action, static_cast<uint32_t>(XDP_DROP));
  EXPECT_EQ(stats().global[XLB_G_DROP_NO_SERVICE], 1u);
}

TEST_F(PrefixVipTest, AnExactVipWins) {
  for (uint32_t i = 0; i < 20; i++)
    EXPECT_EQ(run_to_backend(syn("192.0.2.5", 80, i)), ip("10.0.0.9"));
  // The whole address: a port only the prefix serves is no service there.
  configure([](Config& c) {
    return service_add(c, prefix_service("net443", "192.0.2.0", 28, 443, {{"10.0.0.3", 3}}));
  });
  EXPECT_TRUE(in("net443", run_to_backend(syn("192.0.2.4", 443))));
  EXPECT_EQ(run(syn("192.0.2.5", 443)).action, static_cast<uint32_t>(XDP_DROP));
}

TEST_F(PrefixVipTest, TheLongestPrefixWinsAndDeletionFallsBack) {
  configure([](Config& c) {
    return service_add(c, prefix_service("narrow", "192.0.2.8", 30, 80, {{"10.0.0.4", 4}}));
  });
  EXPECT_EQ(run_to_backend(syn("192.0.2.9", 80)), ip("10.0.0.4"));
  EXPECT_TRUE(in("net", run_to_backend(syn("192.0.2.12", 80))));
  configure([](Config& c) { return service_del(c, by_name("narrow")); });
  EXPECT_TRUE(in("net", run_to_backend(syn("192.0.2.9", 80))));
  // Without prefix services the cover says so and the trie is not read.
  configure([](Config& c) -> Status {
    XLB_TRY(service_del(c, by_name("net")));
    return service_del(c, by_name("net6"));
  });
  EXPECT_EQ(run(syn("192.0.2.9", 80)).action, static_cast<uint32_t>(XDP_PASS));
  EXPECT_EQ(run_to_backend(syn("192.0.2.5", 80)), ip("10.0.0.9"));
}

// The trie is read only inside the cover of the prefixes (xlb_vip_cover):
// two prefixes far apart widen it (192.0.0.0/5, 2001:db8::/31), and every
// address of both is still found; outside it, and inside it but in no
// prefix, traffic passes.
TEST_F(PrefixVipTest, PrefixesFarApartAreAllFound) {
  configure([](Config& c) -> Status {
    XLB_TRY(service_add(c, prefix_service("far", "198.51.100.0", 30, 80, {{"10.0.0.5", 5}})));
    Service far6 = prefix_service("far6", "2001:db9::", 64, 443, {});
    far6.backends.push_back(make_backend("fd00::2", backend_mac(12)));
    return service_add(c, far6);
  });
  for (const char* dst : {"198.51.100.0", "198.51.100.3"})
    EXPECT_EQ(run_to_backend(syn(dst, 80)), ip("10.0.0.5")) << dst;
  EXPECT_TRUE(in("net", run_to_backend(syn("192.0.2.9", 80))));
  EXPECT_EQ(run_to_backend(syn6("2001:db9::5", 443)), ip("fd00::2"));
  EXPECT_TRUE(in("net6", run_to_backend(syn6("2001:db8::ab", 443))));
  for (const char* dst : {"203.0.113.1", "198.51.100.4", "192.0.3.1"})
    EXPECT_EQ(run(syn(dst, 80)).action, static_cast<uint32_t>(XDP_PASS)) << dst;
  EXPECT_EQ(run(syn6("2001:dba::1", 443)).action, static_cast<uint32_t>(XDP_PASS));
  EXPECT_EQ(stats().global[XLB_G_DROP_NO_SERVICE], 0u);
}

}  // namespace
}  // namespace xlb::test
