// The filter stage (issue 17) on the real objects: rules are committed
// through core's transaction, the real filter program is linked into the
// real balancer program in place of its stub (freplace, as `interface
// attach` and commits do), and packets go through BPF_PROG_TEST_RUN of the
// balancer. Also the chain: an operator's own XDP program linked in front.
#include <linux/bpf.h>
#include <time.h>

#include <optional>

#include "datapath_fixture.hpp"
#include "model/filter.hpp"
#include "state/filter_maps.hpp"
#include "state/stages.hpp"

namespace xlb::test {
namespace {

constexpr int kFakeIfindex = 4242;  // the stage links are not pinned here

FilterRule drop(const char* src) {
  FilterRule r;
  r.src = IpPrefix::parse(src);
  return r;
}

FilterRule limit(const char* src, uint64_t rate, uint64_t burst, uint8_t per = kDefaultPer) {
  FilterRule r;
  r.kind = FilterKind::limit;
  if (std::string(src) != "any") r.src = IpPrefix::parse(src);
  r.rate = rate;
  r.burst = burst;
  r.per = per;
  return r;
}

Bytes packet(const char* src, const char* dst, uint8_t proto = kProtoUdp, uint16_t dport = 53,
             size_t payload = 0) {
  PacketSpec p = make_packet(src, dst, proto, 40000, dport, kTcpSyn);
  p.l4.payload = Bytes(payload, 0x5a);
  return frame(p);
}

class FilterTest : public DatapathTest {
 protected:
  void add_rules(std::vector<FilterRule> rules) {
    configure([&](Config& c) -> Status {
      for (auto& r : rules) XLB_TRY(filter_add(c.filters, r));
      return {};
    });
  }
  // Some sandboxes refuse extension programs (BPF_PROG_TYPE_EXT) with
  // EPERM even to root: then there is nothing to test here.
  static bool ext_refused(const Error& e) {
    return e.message.find("Operation not permitted") != std::string::npos;
  }
  void link_filter() {
    auto l = link_stages(pin_path(), kFakeIfindex, prog_fd(), true, std::nullopt);
    if (!l && ext_refused(l.error()))
      GTEST_SKIP() << "the kernel refuses freplace: " << l.error().message;
    ASSERT_TRUE(l.ok()) << l.error().message;
    links_.emplace(std::move(*l));
  }
  uint32_t action(const Bytes& f) const { return run(f).action; }
  FilterCounts counts(uint32_t index) const {
    Config c = config();
    auto all = read_filter_counters(pin_path(), c.filters);
    return all[c.filters.at(index).id];
  }

  std::optional<StageLinks> links_;
};

TEST_F(FilterTest, WithoutTheFilterLinkedEverythingPasses) {
  add_rules({drop("203.0.113.0/24")});
  EXPECT_EQ(action(packet("203.0.113.9", "192.0.2.99")), XDP_PASS);
}

TEST_F(FilterTest, DropBySourcePrefixBothFamilies) {
  add_rules({drop("203.0.113.0/24"), drop("2001:db8:bad::/48")});
  link_filter();
  if (IsSkipped() || HasFatalFailure()) return;
  EXPECT_EQ(action(packet("203.0.113.9", "192.0.2.99")), XDP_DROP);
  EXPECT_EQ(action(packet("203.0.114.9", "192.0.2.99")), XDP_PASS);
  EXPECT_EQ(action(packet("2001:db8:bad:1::7", "2001:db8::99")), XDP_DROP);
  EXPECT_EQ(action(packet("2001:db8:bae::7", "2001:db8::99")), XDP_PASS);
  Bytes f = packet("203.0.113.1", "192.0.2.99");
  EXPECT_EQ(counts(0).packets, 1u);
  EXPECT_EQ(counts(0).bytes, f.size());
  EXPECT_EQ(counts(1).packets, 1u);
}

TEST_F(FilterTest, DropNarrowedByDestinationPortAndProtocol) {
  FilterRule to_dns = drop("198.51.100.0/24");
  to_dns.dst = ip("192.0.2.10");
  to_dns.port = 53;
  to_dns.proto = FilterProto::udp;
  FilterRule icmp6 = drop("2001:db8:1::/48");
  icmp6.proto = FilterProto::icmp;
  add_rules({to_dns, icmp6});
  link_filter();
  if (IsSkipped() || HasFatalFailure()) return;
  EXPECT_EQ(action(packet("198.51.100.1", "192.0.2.10", kProtoUdp, 53)), XDP_DROP);
  EXPECT_NE(action(packet("198.51.100.1", "192.0.2.10", kProtoUdp, 54)), XDP_DROP);
  EXPECT_NE(action(packet("198.51.100.1", "192.0.2.10", kProtoTcp, 53)), XDP_DROP);
  EXPECT_NE(action(packet("198.51.100.1", "192.0.2.11", kProtoUdp, 53)), XDP_DROP);
  EXPECT_NE(action(packet("2001:db8:1::1", "2001:db8::10", kProtoUdp, 53)), XDP_DROP);
  PacketSpec echo = make_packet("2001:db8:1::1", "2001:db8::10", kProtoIcmp6, 0, 0);
  Bytes body = {128, 0, 0, 0, 0, 1, 0, 1};  // echo request
  EXPECT_EQ(action(ethernet(echo.eth, ip_packet(echo.ip, body))), XDP_DROP);
}

TEST_F(FilterTest, LongestSourcePrefixDecidesAlone) {
  FilterRule narrow = drop("10.1.0.0/16");
  narrow.proto = FilterProto::tcp;
  add_rules({drop("10.0.0.0/8"), narrow, drop("fd00::/8"), limit("fd00:1::/32", 1000000, 1000000)});
  link_filter();
  if (IsSkipped() || HasFatalFailure()) return;
  EXPECT_EQ(action(packet("10.2.0.1", "192.0.2.99")), XDP_DROP);  // only /8 matches
  // In 10.1/16 only its own rule counts: UDP passes although the /8 drops all.
  EXPECT_EQ(action(packet("10.1.0.1", "192.0.2.99", kProtoUdp)), XDP_PASS);
  EXPECT_EQ(action(packet("10.1.0.1", "192.0.2.99", kProtoTcp)), XDP_DROP);
  EXPECT_EQ(action(packet("fd00:2::1", "2001:db8::99")), XDP_DROP);
  EXPECT_EQ(action(packet("fd00:1::1", "2001:db8::99")), XDP_PASS);  // its limit, not the /8
}

TEST_F(FilterTest, BurstThenDropsPerSourceBucket) {
  add_rules({limit("198.51.100.0/24", 1, 5), limit("2001:db8:5::/48", 1, 3, 48)});
  link_filter();
  if (IsSkipped() || HasFatalFailure()) return;
  auto passes = [&](const char* src, int n) {
    int p = 0;
    for (int i = 0; i < n; i++) p += action(packet(src, "192.0.2.99")) == XDP_PASS;
    return p;
  };
  EXPECT_EQ(passes("198.51.100.1", 20), 5);  // the burst, then (1 pps) nothing
  EXPECT_EQ(passes("198.51.100.2", 20), 5);  // per /32: its own bucket
  auto passes6 = [&](const char* src, int n) {
    int p = 0;
    for (int i = 0; i < n; i++) p += action(packet(src, "2001:db8::99")) == XDP_PASS;
    return p;
  };
  EXPECT_EQ(passes6("2001:db8:5:1::1", 10), 3);
  EXPECT_EQ(passes6("2001:db8:5:2::1", 10), 0);  // per /48: the same bucket
  EXPECT_EQ(counts(0).packets, 30u);
  EXPECT_EQ(counts(1).packets, 17u);
}

TEST_F(FilterTest, BitsPerSecondCountBytes) {
  // 8000 bits of depth: 1000 bytes, so 10 frames of 100 bytes pass at most.
  FilterRule r = limit("192.0.2.0/24", 1, 8000);
  r.unit = RateUnit::bps;
  add_rules({r});
  link_filter();
  if (IsSkipped() || HasFatalFailure()) return;
  Bytes f = packet("192.0.2.1", "198.51.100.99", kProtoUdp, 53, 100 - 42);
  ASSERT_EQ(f.size(), 100u);
  int p = 0;
  for (int i = 0; i < 30; i++) p += action(f) == XDP_PASS;
  EXPECT_EQ(p, 10);
}

double now_s() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);  // bpf_ktime_get_ns's clock
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

// Offered far above the rate for a second of the datapath's own clock, a
// source gets rate x seconds + burst packets through, within 5%.
TEST_F(FilterTest, RateIsAccurateOverASecond) {
  constexpr uint64_t kRate = 1000, kBurst = 10;
  add_rules({limit("any", kRate, kBurst)});
  link_filter();
  if (IsSkipped() || HasFatalFailure()) return;
  Bytes f = packet("100.64.1.1", "192.0.2.99");
  uint64_t passed = 0, sent = 0;
  const double start = now_s();
  double last = start;
  while (last - start < 1.0) {
    passed += action(f) == XDP_PASS;
    sent++;
    last = now_s();
  }
  ASSERT_GT(sent, 3 * kRate) << "too slow to offer more than the rate";
  const double expected = kRate * (last - start) + kBurst;
  EXPECT_NEAR(static_cast<double>(passed), expected, 0.05 * expected)
      << sent << " sent in " << (last - start) << " s";
}

TEST_F(FilterTest, RulesChangeWithoutRelinkingAndGoAway) {
  add_rules({drop("203.0.113.0/24")});
  link_filter();
  if (IsSkipped() || HasFatalFailure()) return;
  EXPECT_EQ(action(packet("203.0.113.9", "192.0.2.99")), XDP_DROP);
  configure([](Config& c) -> Status {
    XLB_TRY(filter_del(c.filters, drop("203.0.113.0/24"), 0));
    return filter_add(c.filters, drop("198.51.100.0/24"));
  });
  EXPECT_EQ(action(packet("203.0.113.9", "192.0.2.99")), XDP_PASS);
  EXPECT_EQ(action(packet("198.51.100.9", "192.0.2.99")), XDP_DROP);
}

// The operator's program (tests/lab/drop_port.bpf.c) in front: its
// XDP_DROP and XDP_TX are final, its XDP_PASS goes on into the filter and
// the balancer.
TEST_F(FilterTest, ChainedProgramsVerdictsAreFinalAndPassContinues) {
  configure([](Config& c) -> Status {
    Service web = make_service("web", Proto::udp, "192.0.2.10", 0);
    web.backends.push_back(make_backend("10.0.0.1", backend_mac(1)));
    XLB_TRY(service_add(c, std::move(web)));
    return filter_add(c.filters, drop("203.0.113.0/24"));
  });
  auto l = link_stages(pin_path(), kFakeIfindex, prog_fd(), true, std::string(XLB_DROP_PORT_OBJ));
  if (!l && ext_refused(l.error()))
    GTEST_SKIP() << "the kernel refuses freplace: " << l.error().message;
  ASSERT_TRUE(l.ok()) << l.error().message;
  EXPECT_EQ(action(packet("100.64.0.1", "192.0.2.10", kProtoUdp, 9999)), XDP_DROP);
  TestRunOutput tx = run(packet("100.64.0.1", "192.0.2.10", kProtoUdp, 9998));
  EXPECT_EQ(tx.action, XDP_TX);
  EXPECT_EQ(tx.frame, packet("100.64.0.1", "192.0.2.10", kProtoUdp, 9998));  // not balanced
  EXPECT_EQ(run_to_backend(packet("100.64.0.1", "192.0.2.10", kProtoUdp, 53)), ip("10.0.0.1"));
  EXPECT_EQ(action(packet("203.0.113.1", "192.0.2.10", kProtoUdp, 53)), XDP_DROP);  // filter
  // A program by name, and one that is not there.
  auto named = link_stages(pin_path(), kFakeIfindex + 1, prog_fd(), false,
                           std::string(XLB_DROP_PORT_OBJ) + ":nope");
  EXPECT_FALSE(named.ok());
}

}  // namespace
}  // namespace xlb::test
