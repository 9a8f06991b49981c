// The filter stage (issue 17) on the real objects: rules are committed
// through core's transaction, the interface's stages are arranged as
// `interface attach` does (the real entry, filter and balancer programs in
// the pinned prog array, stages.hpp), and packets go through
// BPF_PROG_TEST_RUN of the program the interface would run (the entry),
// tail calls and all. Also the chain: an operator's own XDP program in
// front.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <vector>

#include "datapath_fixture.hpp"
#include "model/filter.hpp"
#include "state/filter_dir.hpp"
#include "state/filter_maps.hpp"
#include "state/stages.hpp"

namespace xlb::test {
namespace {

constexpr int kFakeIfindex = 4242;  // no link: only the stages are arranged

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

uint32_t prog_id(int fd) {
  bpf_prog_info info{};
  uint32_t len = sizeof(info);
  return bpf_obj_get_info_by_fd(fd, &info, &len) == 0 ? info.id : 0;
}

class FilterTest : public DatapathTest {
 protected:
  void add_rules(std::vector<FilterRule> rules) {
    configure([&](Config& c) -> Status {
      for (auto& r : rules) XLB_TRY(filter_add(c.filters, r));
      return {};
    });
  }
  // The interface's stages as `interface attach` leaves them; run() then
  // runs the program the interface would run.
  void arrange(bool filtering, ChainRequest chain = std::nullopt) {
    auto f = arrange_stages({pin_path(), kFakeIfindex, prog_fd(), filtering, chain});
    ASSERT_TRUE(f.ok()) << f.error().message;
    front_.emplace(std::move(*f));
    set_front(front_->fd());
  }
  void link_filter() { arrange(true); }
  uint32_t action(const Bytes& f) const { return run(f).action; }
  FilterCounts counts(uint32_t index) const {
    Config c = config();
    auto all = read_filter_counters(pin_path(), c.filters);
    return all[c.filters.at(index).id];
  }

  std::optional<LoadedProgram> front_;
};

// No rule and no chain: the interface runs the balancer itself (0 ns).
TEST_F(FilterTest, WithNeitherRulesNorChainTheBalancerRunsAlone) {
  arrange(false);
  EXPECT_EQ(prog_id(front_->fd()), prog_id(prog_fd()));
  add_rules({drop("203.0.113.0/24")});
  arrange(true);
  EXPECT_NE(prog_id(front_->fd()), prog_id(prog_fd()));
  EXPECT_EQ(action(packet("203.0.113.9", "192.0.2.99")), XDP_DROP);
}

TEST_F(FilterTest, DropBySourcePrefixBothFamilies) {
  add_rules({drop("203.0.113.0/24"), drop("2001:db8:bad::/48")});
  link_filter();
  if (HasFatalFailure()) return;
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
  if (HasFatalFailure()) return;
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
  if (HasFatalFailure()) return;
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
  if (HasFatalFailure()) return;
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
  if (HasFatalFailure()) return;
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
// What a token bucket of `rate` per second and `burst` (full at the start)
// lets through of packets offered at `times`: the reference the datapath's
// count is held to. A machine that stalls the sender (a loaded CI) offers
// nothing for a while, and a bucket cannot save more than its burst.
double bucket_passes(const std::vector<double>& times, double rate, double burst) {
  double tokens = burst, passes = 0;
  for (size_t i = 0; i < times.size(); i++) {
    if (i) tokens = std::min(burst, tokens + rate * (times[i] - times[i - 1]));
    if (tokens >= 1) tokens -= 1, passes++;
  }
  return passes;
}

TEST_F(FilterTest, RateIsAccurateOverASecond) {
  constexpr uint64_t kRate = 1000, kBurst = 10;
  add_rules({limit("any", kRate, kBurst)});
  link_filter();
  if (HasFatalFailure()) return;
  Bytes f = packet("100.64.1.1", "192.0.2.99");
  uint64_t passed = 0;
  std::vector<double> times;
  const double start = now_s();
  while (now_s() - start < 1.0) {
    times.push_back(now_s());
    passed += action(f) == XDP_PASS;
  }
  ASSERT_GT(times.size(), 3 * kRate) << "too slow to offer more than the rate";
  const double expected = bucket_passes(times, kRate, kBurst);
  EXPECT_NEAR(static_cast<double>(passed), expected, 0.05 * expected)
      << times.size() << " sent in " << (times.back() - start) << " s";
}

TEST_F(FilterTest, RulesChangeWithoutRelinkingAndGoAway) {
  add_rules({drop("203.0.113.0/24")});
  link_filter();
  if (HasFatalFailure()) return;
  EXPECT_EQ(action(packet("203.0.113.9", "192.0.2.99")), XDP_DROP);
  configure([](Config& c) -> Status {
    XLB_TRY(filter_del(c.filters, drop("203.0.113.0/24"), 0));
    return filter_add(c.filters, drop("198.51.100.0/24"));
  });
  EXPECT_EQ(action(packet("203.0.113.9", "192.0.2.99")), XDP_PASS);
  EXPECT_EQ(action(packet("198.51.100.9", "192.0.2.99")), XDP_DROP);
}

// Rules that go from none to some, or back, fill or empty the filter stage
// of every slot (commit -> sync_filter_stage) without touching the others.
TEST_F(FilterTest, CommitsFillAndEmptyTheFilterStage) {
  arrange(false, std::string(XLB_DROP_PORT_OBJ));  // the entry, a chain, no filter
  if (HasFatalFailure()) return;
  EXPECT_EQ(action(packet("203.0.113.9", "192.0.2.99")), XDP_PASS);
  add_rules({drop("203.0.113.0/24")});
  EXPECT_EQ(action(packet("203.0.113.9", "192.0.2.99")), XDP_DROP);
  configure([](Config& c) -> Status { return filter_del(c.filters, drop("203.0.113.0/24"), 0); });
  EXPECT_EQ(action(packet("203.0.113.9", "192.0.2.99")), XDP_PASS);
  EXPECT_EQ(action(packet("203.0.113.9", "192.0.2.99", kProtoUdp, 9999)), XDP_DROP);  // chain
}

// The operator's program (tests/lab/drop_port.bpf.c) in front: its
// XDP_DROP, XDP_TX and XDP_PASS are final; xlb_chain_continue() goes on
// into the filter and the balancer.
TEST_F(FilterTest, ChainedProgramsVerdictsAreFinalAndContinueGoesIntoXlb) {
  configure([](Config& c) -> Status {
    Service web = make_service("web", Proto::udp, "192.0.2.10", 0);
    web.backends.push_back(make_backend("10.0.0.1", backend_mac(1)));
    XLB_TRY(service_add(c, std::move(web)));
    return filter_add(c.filters, drop("203.0.113.0/24"));
  });
  arrange(true, std::string(XLB_DROP_PORT_OBJ));
  if (HasFatalFailure()) return;
  EXPECT_EQ(action(packet("100.64.0.1", "192.0.2.10", kProtoUdp, 9999)), XDP_DROP);
  TestRunOutput tx = run(packet("100.64.0.1", "192.0.2.10", kProtoUdp, 9998));
  EXPECT_EQ(tx.action, XDP_TX);
  EXPECT_EQ(tx.frame, packet("100.64.0.1", "192.0.2.10", kProtoUdp, 9998));  // not balanced
  EXPECT_EQ(action(packet("100.64.0.1", "192.0.2.10", kProtoUdp, 9997)), XDP_PASS);
  EXPECT_EQ(run_to_backend(packet("100.64.0.1", "192.0.2.10", kProtoUdp, 53)), ip("10.0.0.1"));
  EXPECT_EQ(action(packet("203.0.113.1", "192.0.2.10", kProtoUdp, 53)), XDP_DROP);  // filter
  // `chain none` takes it out: port 9999 reaches the balancer.
  arrange(true, std::string("none"));
  EXPECT_EQ(run_to_backend(packet("100.64.0.1", "192.0.2.10", kProtoUdp, 9999)), ip("10.0.0.1"));
}

TEST_F(FilterTest, ChainFromAPinnedProgramOrByName) {
  // Loaded by the operator, reusing xlb's pinned stage maps (xlb_chain.h).
  arrange(false);  // xlb's stage maps exist once an interface is attached
  bpf_object* obj = bpf_object__open_file(XLB_DROP_PORT_OBJ, nullptr);
  ASSERT_NE(obj, nullptr);
  for (const char* name : {"xlb_stages", "xlb_stage_next"}) {
    int fd = bpf_obj_get((pin_path() + "/" + name).c_str());
    ASSERT_GE(fd, 0) << name;
    EXPECT_EQ(bpf_map__reuse_fd(bpf_object__find_map_by_name(obj, name), fd), 0);
    close(fd);
  }
  ASSERT_EQ(bpf_object__load(obj), 0);
  const std::string pin = pin_path() + "/operator_prog";
  ASSERT_EQ(bpf_program__pin(bpf_object__find_program_by_name(obj, "drop_port"), pin.c_str()), 0);
  bpf_object__close(obj);
  arrange(false, pin);
  if (HasFatalFailure()) return;
  EXPECT_EQ(action(packet("100.64.0.1", "192.0.2.10", kProtoUdp, 9999)), XDP_DROP);
  EXPECT_EQ(chain_name(pin_path(), kFakeIfindex), "drop_port");
  configure([](Config& c) -> Status { return filter_add(c.filters, drop("203.0.113.0/24")); });
  EXPECT_EQ(action(packet("203.0.113.1", "192.0.2.10")), XDP_DROP);  // continued into the filter
  configure([](Config& c) -> Status { return filter_del(c.filters, drop("203.0.113.0/24"), 0); });
  unlink(pin.c_str());
  arrange(false, std::string(XLB_DROP_PORT_OBJ) + ":drop_port");
  EXPECT_EQ(action(packet("100.64.0.1", "192.0.2.10", kProtoUdp, 9999)), XDP_DROP);
  auto missing = arrange_stages(
      {pin_path(), kFakeIfindex, prog_fd(), false, std::string(XLB_DROP_PORT_OBJ) + ":nope"});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("no program named nope"), std::string::npos);
  // The failed request changed nothing: the chain is still there.
  EXPECT_EQ(action(packet("100.64.0.1", "192.0.2.10", kProtoUdp, 9999)), XDP_DROP);
}

// The IPv4 /16 shortcut (filter_abi.h), as computed from the trie's entries.
FilterPrefix4 prefix4(uint32_t a, uint32_t b, uint32_t len, uint32_t limit_id) {
  FilterPrefix4 p;
  p.addr = a << 24 | b << 16;
  p.len = len;
  p.entry.limit_id = limit_id;  // tells the entries apart
  return p;
}

uint32_t block(uint32_t a, uint32_t b) { return a << 8 | b; }

TEST(FilterDirTest, BlocksPassWalkOrTakeTheLongestShortPrefix) {
  FilterDir d = build_filter_dir(
      {prefix4(10, 0, 8, 1), prefix4(10, 1, 16, 2), prefix4(10, 2, 24, 3), prefix4(0, 0, 0, 4)});
  ASSERT_EQ(d.blocks.size(), XLB_FILTER_DIR4_BLOCKS);
  auto entry = [&](uint32_t b) { return d.shorts.at(d.blocks[b] - XLB_FILTER_DIR_SHORT).limit_id; };
  EXPECT_EQ(entry(block(10, 0)), 1u);  // the /8
  EXPECT_EQ(entry(block(10, 255)), 1u);
  EXPECT_EQ(entry(block(10, 1)), 2u);                      // the /16 inside the /8 wins
  EXPECT_EQ(d.blocks[block(10, 2)], XLB_FILTER_DIR_WALK);  // a /24 inside
  EXPECT_EQ(entry(block(11, 0)), 4u);                      // only the /0
  EXPECT_EQ(d.shorts.size(), 3u);                          // one entry per prefix
  d = build_filter_dir({prefix4(10, 0, 8, 1)});
  EXPECT_EQ(d.blocks[block(11, 0)], XLB_FILTER_DIR_PASS);
  EXPECT_EQ(d.blocks[block(9, 255)], XLB_FILTER_DIR_PASS);
}

TEST(FilterDirTest, ShortPrefixesBeyondTheArrayWalk) {
  std::vector<FilterPrefix4> many;
  for (uint32_t i = 0; i < XLB_FILTER_SHORT4 + 10; i++)
    many.push_back(prefix4(i >> 8, i & 0xff, 16, i));
  FilterDir d = build_filter_dir(many);
  EXPECT_EQ(d.shorts.size(), XLB_FILTER_SHORT4);
  EXPECT_EQ(d.blocks[XLB_FILTER_SHORT4 - 1], XLB_FILTER_DIR_SHORT + XLB_FILTER_SHORT4 - 1);
  EXPECT_EQ(d.blocks[XLB_FILTER_SHORT4], XLB_FILTER_DIR_WALK);
  EXPECT_EQ(d.blocks[XLB_FILTER_SHORT4 + 20], XLB_FILTER_DIR_PASS);
}

bool clear24(const FilterDir& d, uint32_t a, uint32_t b, uint32_t c) {
  const uint32_t n = a << 16 | b << 8 | c;
  return (d.clear.at(n >> 6) >> (n & 63)) & 1;
}

TEST(FilterDirTest, WalkingBlocksClearThe24sNoPrefixTouches) {
  FilterPrefix4 p28 = prefix4(172, 16, 28, 1);
  p28.addr |= 5 << 8 | 16;  // 172.16.5.16/28
  FilterPrefix4 p20 = prefix4(172, 17, 20, 2);
  p20.addr |= 32 << 8;  // 172.17.32.0/20
  FilterDir d = build_filter_dir({p28, p20, prefix4(10, 0, 8, 3), prefix4(10, 2, 24, 4)});
  ASSERT_EQ(d.clear.size(), XLB_FILTER_CLEAR4_WORDS);
  EXPECT_FALSE(clear24(d, 172, 16, 5));
  EXPECT_TRUE(clear24(d, 172, 16, 4));
  EXPECT_TRUE(clear24(d, 172, 16, 6));
  EXPECT_FALSE(clear24(d, 172, 17, 32));
  EXPECT_FALSE(clear24(d, 172, 17, 47));
  EXPECT_TRUE(clear24(d, 172, 17, 48));
  EXPECT_FALSE(clear24(d, 10, 2, 9)) << "covered by the /8: walk";
  EXPECT_FALSE(clear24(d, 172, 18, 0)) << "a block that passes has no bits";
}

uint32_t dir_value(const std::string& pin_path, uint32_t b) {
  int fd = bpf_obj_get((pin_path + "/xlb_filter_dir4").c_str());
  uint32_t v = 0xdead;
  if (fd >= 0) bpf_map_lookup_elem(fd, &b, &v);
  if (fd >= 0) close(fd);
  return v;
}

TEST_F(FilterTest, ShortcutDecidesWholeBlocksAndWalksTheRest) {
  FilterRule narrow = drop("10.2.3.0/24");
  narrow.proto = FilterProto::tcp;
  add_rules({drop("10.0.0.0/8"), narrow});
  link_filter();
  if (HasFatalFailure()) return;
  EXPECT_GE(dir_value(pin_path(), block(10, 0)), XLB_FILTER_DIR_SHORT);
  EXPECT_EQ(dir_value(pin_path(), block(10, 2)), XLB_FILTER_DIR_WALK);
  EXPECT_EQ(dir_value(pin_path(), block(11, 0)), XLB_FILTER_DIR_PASS);
  EXPECT_EQ(action(packet("10.0.0.1", "192.0.2.99")), XDP_DROP);
  EXPECT_EQ(action(packet("10.200.9.9", "192.0.2.99")), XDP_DROP);
  EXPECT_EQ(action(packet("10.2.4.1", "192.0.2.99")), XDP_DROP);             // walks to the /8
  EXPECT_EQ(action(packet("10.2.3.1", "192.0.2.99", kProtoUdp)), XDP_PASS);  // the /24 alone
  EXPECT_EQ(action(packet("10.2.3.1", "192.0.2.99", kProtoTcp)), XDP_DROP);
  EXPECT_EQ(action(packet("11.0.0.1", "192.0.2.99")), XDP_PASS);
  // A port rule on a short prefix: the entry asks for the ports.
  configure([](Config& c) -> Status {
    FilterRule dns = drop("198.18.0.0/15");
    dns.dst = ip("192.0.2.99");
    dns.port = 53;
    dns.proto = FilterProto::udp;
    return filter_add(c.filters, dns);
  });
  EXPECT_EQ(action(packet("198.19.1.1", "192.0.2.99", kProtoUdp, 53)), XDP_DROP);
  EXPECT_EQ(action(packet("198.19.1.1", "192.0.2.99", kProtoUdp, 54)), XDP_PASS);
  // Deleting the /8 hands its blocks back to pass.
  configure([](Config& c) -> Status { return filter_del(c.filters, drop("10.0.0.0/8"), 0); });
  EXPECT_EQ(dir_value(pin_path(), block(10, 0)), XLB_FILTER_DIR_PASS);
  EXPECT_EQ(action(packet("10.0.0.1", "192.0.2.99")), XDP_PASS);
  EXPECT_EQ(action(packet("10.2.3.1", "192.0.2.99", kProtoTcp)), XDP_DROP);
}

TEST_F(FilterTest, SourcesBesideALongPrefixPassWithoutTheWalk) {
  add_rules({drop("172.16.5.16/28")});
  link_filter();
  if (HasFatalFailure()) return;
  EXPECT_EQ(dir_value(pin_path(), block(172, 16)), XLB_FILTER_DIR_WALK);
  EXPECT_EQ(action(packet("172.16.5.17", "192.0.2.99")), XDP_DROP);
  EXPECT_EQ(action(packet("172.16.5.1", "192.0.2.99")), XDP_PASS);  // its /24: the walk
  EXPECT_EQ(action(packet("172.16.6.1", "192.0.2.99")), XDP_PASS);  // a clear /24
  // A rule in the clear /24 takes it back.
  add_rules({drop("172.16.6.0/25")});
  EXPECT_EQ(action(packet("172.16.6.1", "192.0.2.99")), XDP_DROP);
  EXPECT_EQ(action(packet("172.16.6.129", "192.0.2.99")), XDP_PASS);
}

// Pins of a release before the shortcut: the filter program loads with a
// fresh (all walk) shortcut, which is right, and the next write fills it.
TEST_F(FilterTest, PinsWithoutTheShortcutWalkUntilTheNextWrite) {
  add_rules({drop("10.0.0.0/8")});
  for (const char* name : {"xlb_filter_dir4", "xlb_filter_short4", "xlb_filter_clear4"})
    ASSERT_EQ(unlink((pin_path() + "/" + name).c_str()), 0);
  link_filter();
  if (HasFatalFailure()) return;
  EXPECT_EQ(dir_value(pin_path(), block(10, 0)), XLB_FILTER_DIR_WALK);
  EXPECT_EQ(action(packet("10.0.0.1", "192.0.2.99")), XDP_DROP);
  EXPECT_EQ(action(packet("11.0.0.1", "192.0.2.99")), XDP_PASS);
  add_rules({drop("203.0.113.0/24")});
  EXPECT_GE(dir_value(pin_path(), block(10, 0)), XLB_FILTER_DIR_SHORT);
  EXPECT_EQ(dir_value(pin_path(), block(11, 0)), XLB_FILTER_DIR_PASS);
  EXPECT_EQ(action(packet("10.0.0.1", "192.0.2.99")), XDP_DROP);
  EXPECT_EQ(action(packet("203.0.113.1", "192.0.2.99")), XDP_DROP);
}

}  // namespace
}  // namespace xlb::test
