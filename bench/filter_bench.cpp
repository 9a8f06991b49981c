// The stages' cost (issue 17) under BPF_PROG_TEST_RUN, on the real objects:
// a packet that is for no VIP (the balancer passes it after one lookup)
// through
//   balancer:  the balancer alone, what an interface runs with no rule and
//              no chain (so the stages cost it 0 ns): the baseline;
//   entry:     the entry program, its chain and filter stages empty, tail
//              call into the balancer (the cost of the entry itself);
//   filter-0:  entry -> filter with no rule -> balancer;
//   filter-N:  entry -> filter with N IPv4 source prefixes (10.x.y.0/24),
//              none matching: a source outside 10/8 (the trie's first node
//              tells), and one beside the table's last /24s (10.39.200.1: the
//              lookup walks down the trie to its leaves), and one in a /16
//              no rule is near (10.200.0.1: the /16 shortcut says pass);
// and a packet dropped by a matching /24 (its /16 walks the trie), and one
// from 100.64.0.0/10, listed beside the /24s (the shortcut decides: the
// flood of a listed prefix). Printed: ns per packet (the
// mean of the middle half of the runs of `repeat` packets), and each
// figure minus the baseline (measured before and after; the lower is used).
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <sched.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <optional>
#include <vector>

#include "bpffs.hpp"
#include "model/filter.hpp"
#include "packet.hpp"
#include "state/loader.hpp"
#include "state/stage_programs.hpp"
#include "state/stages.hpp"
#include "state/state.hpp"

using namespace xlb;
using namespace xlb::test;

namespace {

[[noreturn]] void die(const std::string& m) {
  std::cerr << "xlb_bench_filter: " << m << "\n";
  std::exit(1);
}

// The mean of the middle half of `runs` runs of `repeat` packets: the
// kernel reports whole ns per packet, the mean of several runs resolves
// tenths, the trimming drops runs another process disturbed.
double trimmed_ns(int fd, const Bytes& f, uint32_t repeat, int runs, uint32_t expect) {
  std::vector<double> v;
  for (int i = 0; i < runs; i++) {
    LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f.data(),
                .data_size_in = static_cast<uint32_t>(f.size()),
                .repeat = static_cast<int>(repeat));
    if (bpf_prog_test_run_opts(fd, &o) != 0) die("BPF_PROG_TEST_RUN failed");
    if (o.retval != expect) die("verdict " + std::to_string(o.retval));
    v.push_back(o.duration);
  }
  std::sort(v.begin(), v.end());
  const size_t lo = v.size() / 4, hi = v.size() - v.size() / 4;
  double sum = 0;
  for (size_t i = lo; i < hi; i++) sum += v[i];
  return sum / static_cast<double>(hi - lo);
}

Bytes udp_from(const IpAddr& src) {
  PacketSpec p;
  p.ip.src = src;
  p.ip.dst = *IpAddr::parse("198.51.100.200");  // no VIP
  p.ip.proto = kProtoUdp;
  p.l4.sport = 40000;
  p.l4.dport = 53;
  return frame(p);
}

// 10.x.y.0/24 for i = x * 256 + y: distinct prefixes, none covering 192/8.
FilterRule prefix_rule(uint32_t i) {
  FilterRule r;
  IpAddr a;
  a.bytes[0] = 10;
  a.bytes[1] = static_cast<uint8_t>(i >> 8);
  a.bytes[2] = static_cast<uint8_t>(i);
  r.src = IpPrefix{a, 24};
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"filter stage ns/packet (BPF_PROG_TEST_RUN)"};
  uint32_t repeat = 100000, prefixes = 10000;
  int runs = 15, cpu = 0;
  app.add_option("--repeat", repeat, "packets per run");
  app.add_option("--runs", runs, "runs per figure (the mean of the middle half is shown)");
  app.add_option("--prefixes", prefixes, "drop prefixes in the large table");
  app.add_option("--cpu", cpu, "CPU to run on");
  CLI11_PARSE(app, argc, argv);
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  sched_setaffinity(0, sizeof set, &set);

  PrivateBpffs fs;
  if (!fs.ok()) die("bpffs: " + fs.error());
  const std::string pin = fs.path() + "/xlb";
  auto prog = load_datapath({pin, Capacities{}, *MacAddr::parse("02:00:00:00:00:01")});
  if (!prog) die(prog.error().message);
  auto st = State::open(pin);
  if (!st) die(st.error().message);
  const Bytes miss = udp_from(*IpAddr::parse("192.168.7.7"));
  auto alone = arrange_stages({pin, 1, prog->fd(), false, std::nullopt});
  if (!alone) die(alone.error().message);
  const double base0 = trimmed_ns(alone->fd(), miss, repeat, runs, XDP_PASS);
  auto entry = load_entry_stage(pin, 0, false);  // slot 0: ifindex 1's
  if (!entry) die(entry.error().message);
  const double bare = trimmed_ns(entry->fd(), miss, repeat, runs, XDP_PASS);
  auto front = arrange_stages({pin, 1, prog->fd(), true, std::nullopt});
  if (!front) die(front.error().message);
  const double none = trimmed_ns(front->fd(), miss, repeat, runs, XDP_PASS);

  Status s = st->update([&](Config& c) -> Status {
    for (uint32_t i = 0; i < prefixes; i++) {
      c.filters.push_back(prefix_rule(i));
      c.filters.back().id = i;  // as filter_add numbers them, without its checks per rule
    }
    FilterRule flood;
    flood.src = IpPrefix::parse("100.64.0.0/10");
    flood.id = prefixes;
    c.filters.push_back(flood);
    return {};
  });
  if (!s) die(s.error().message);
  const double big = trimmed_ns(front->fd(), miss, repeat, runs, XDP_PASS);
  const double hit =
      trimmed_ns(front->fd(), udp_from(*IpAddr::parse("10.0.5.1")), repeat, runs, XDP_DROP);
  const double near =
      trimmed_ns(front->fd(), udp_from(*IpAddr::parse("10.39.200.1")), repeat, runs, XDP_PASS);
  const double clear =
      trimmed_ns(front->fd(), udp_from(*IpAddr::parse("10.200.0.1")), repeat, runs, XDP_PASS);
  const double flood =
      trimmed_ns(front->fd(), udp_from(*IpAddr::parse("100.70.1.1")), repeat, runs, XDP_DROP);
  const double base = std::min(base0, trimmed_ns(prog->fd(), miss, repeat, runs, XDP_PASS));
  std::printf("stages, ns/packet (mean of the middle half of %d runs of %u), packet for no VIP\n",
              runs, repeat);
  const auto row = [&](const std::string& what, double ns, const char* note) {
    std::printf("  %-44s %6.1f  (+%.1f%s)\n", what.c_str(), ns, ns - base, note);
  };
  std::printf("  %-44s %6.1f  (what runs with no rule and no chain)\n", "balancer alone", base);
  row("entry -> balancer (no stage between)", bare, "; the entry's own cost");
  row("entry -> filter, no rule -> balancer", none, "");
  const std::string n = std::to_string(prefixes);
  row("entry -> filter, " + n + " prefixes, no match", big, "; source outside 10/8; target <= 30");
  row("entry -> filter, " + n + " prefixes, no match", near,
      "; source beside the last /24s; target <= 30");
  row("entry -> filter, " + n + " prefixes, no match", clear,
      "; no rule in the source's /16 (shortcut)");
  row("entry -> filter, matching /24: drop", hit, "; its /16 walks the trie");
  row("entry -> filter, matching /10: drop", flood, "; the /16 shortcut decides");
  return 0;
}
