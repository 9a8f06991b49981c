#include "decap_fixture.hpp"

#include <linux/bpf.h>

#include <cstdio>
#include <cstdlib>

namespace xlb::test {

IpAddr addr(const char* text) {
  auto a = IpAddr::parse(text);
  if (!a) {
    std::fprintf(stderr, "bad address in a test: %s\n", text);
    std::abort();
  }
  return *a;
}

Hosts hosts(bool v6) {
  if (v6)
    return {addr("2001:db8:2::11"), addr("2001:db8:3::101"), addr("2001:db8:3::102"),
            addr("2001:db8:1::2"), addr("2001:db8::10")};
  return {addr("198.51.100.11"), addr("10.99.0.101"), addr("10.99.0.102"), addr("203.0.113.2"),
          addr("192.0.2.10")};
}

void DecapTest::SetUp() {
  if (!running_as_root()) GTEST_SKIP() << "needs root (BPF)";
  bpffs_ = std::make_unique<PrivateBpffs>();
  ASSERT_TRUE(bpffs_->ok()) << bpffs_->error();
  dir_ = bpffs_->path() + "/decap";
  auto prog = load_decap(dir_, DecapPorts{});
  ASSERT_TRUE(prog) << prog.error().message;
  prog_ = std::move(*prog);
  auto n = decap_update_addresses(dir_, {hosts(false).backend, hosts(true).backend}, {});
  ASSERT_TRUE(n) << n.error().message;
  ASSERT_EQ(*n, 2u);
}

TestRunOutput DecapTest::run(const Bytes& frame) const {
  auto out = test_run(prog_.fd(), frame);
  EXPECT_TRUE(out) << out.error().message;
  return out ? *out : TestRunOutput{};
}

Counters DecapTest::counters() const {
  auto c = decap_counters(dir_);
  EXPECT_TRUE(c) << c.error().message;
  return c ? *c : Counters{};
}

TestRunOutput DecapTest::run_counted(const Bytes& frame, int counter) const {
  Counters before = counters();
  TestRunOutput out = run(frame);
  Counters after = counters();
  for (int i = 0; i < XLB_DC_COUNT; i++)
    EXPECT_EQ(after[i] - before[i], i == counter ? 1u : 0u)
        << "counter " << decap_counter_name(i) << " (expected only " << decap_counter_name(counter)
        << ")";
  return out;
}

void DecapTest::expect_untouched(const Bytes& frame, int counter) const {
  TestRunOutput out = run_counted(frame, counter);
  EXPECT_EQ(out.action, static_cast<uint32_t>(XDP_PASS));
  EXPECT_EQ(out.frame, frame) << "the frame was changed";
}

void DecapTest::expect_dropped(const Bytes& frame, int counter) const {
  TestRunOutput out = run_counted(frame, counter);
  EXPECT_EQ(out.action, static_cast<uint32_t>(XDP_DROP));
}

Bytes DecapTest::inner_packet(bool v6, bool udp) {
  Hosts h = hosts(v6);
  IpSpec ip;
  ip.src = h.client;
  ip.dst = h.vip;
  ip.proto = udp ? kProtoUdp : kProtoTcp;
  L4Spec l4;
  l4.sport = 40000;
  l4.dport = udp ? 53 : 80;
  if (udp) l4.payload = {'h', 'e', 'l', 'l', 'o'};
  return ip_packet(ip, l4_segment(ip, l4));
}

TunnelSpec DecapTest::tunnel(Method method, bool outer_v6) {
  TunnelSpec t;
  t.method = method;
  t.outer_src = hosts(outer_v6).lb;
  t.outer_dst = hosts(outer_v6).backend;
  return t;
}

Bytes DecapTest::tunnel_frame(const TunnelSpec& t, const Bytes& inner, const EthSpec& eth) {
  return ethernet(eth, tunnel_packet(t, inner));
}

}  // namespace xlb::test
