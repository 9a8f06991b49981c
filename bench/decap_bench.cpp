// xlb-decap cost in ns per packet under BPF_PROG_TEST_RUN (JIT on), net of
// the fixed cost of a call, for each encapsulation beside traffic it
// passes untouched.
//
//   xlb_bench_decap [--json] [--runs N] [--calls N]
//
// Method, as xlb_bench_datapath's: the real embedded object is loaded into a
// private bpffs through core (load_decap) with this host's addresses in its
// map; decapsulation shortens the frame, so every call runs once
// (repeat=1) on a fresh frame and a figure is the median of `calls` calls,
// run `runs` times (median run, min and max). The floor is floor_pass
// (bench/floor.bpf.c) in the same process. Not a test: it fails only if a
// scenario does not take the path it claims (wrong verdict or counter).
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <sched.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bpffs.hpp"
#include "decap/decap.hpp"
#include "floor.skel.h"
#include "packet.hpp"
#include "report.hpp"
#include "tunnel_builder.hpp"

namespace {

using namespace xlb;
using namespace xlb::test;
using bench::Summary;

struct Options {
  bool json = false;
  int runs = 5;
  int calls = 2000;
};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "xlb_bench_decap: %s\n", what.c_str());
  std::exit(1);
}

IpAddr addr(const char* text) { return *IpAddr::parse(text); }

uint32_t run_once(int fd, const Bytes& f) {
  LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f.data(),
              .data_size_in = static_cast<uint32_t>(f.size()), .repeat = 1);
  if (bpf_prog_test_run_opts(fd, &o) != 0) die("BPF_PROG_TEST_RUN failed");
  if (o.retval != XDP_PASS) die("verdict " + std::to_string(o.retval) + ", expected XDP_PASS");
  return o.duration;
}

Summary sample(int fd, const Bytes& frame, const Options& opt) {
  std::vector<double> medians;
  for (int r = 0; r < opt.runs; r++) {
    std::vector<double> ns;
    for (int i = 0; i < opt.calls; i++) ns.push_back(run_once(fd, frame));
    medians.push_back(bench::median_of(ns));
  }
  return bench::summarize(medians);
}

Bytes inner(bool v6) {
  IpSpec ip;
  ip.src = addr(v6 ? "2001:db8:1::2" : "203.0.113.2");
  ip.dst = addr(v6 ? "2001:db8::10" : "192.0.2.10");
  ip.proto = kProtoTcp;
  L4Spec l4;
  l4.sport = 40000;
  l4.dport = 80;
  return ip_packet(ip, l4_segment(ip, l4));
}

struct Scenario {
  std::string name;
  Bytes frame;
  int counter;
};

std::vector<Scenario> scenarios() {
  std::vector<Scenario> out;
  Bytes plain = inner(false);  // a TCP SYN to this host's own address
  plain[16] = 10, plain[17] = 99, plain[18] = 0, plain[19] = 101;
  out.push_back({"not a tunnel (pass)", ethernet(EthSpec{}, plain), -1});
  const std::pair<Method, int> methods[] = {{Method::ipip, XLB_DC_IPIP},
                                            {Method::gre, XLB_DC_GRE},
                                            {Method::gue, XLB_DC_GUE},
                                            {Method::fou, XLB_DC_FOU}};
  for (auto [m, counter] : methods)
    for (bool v6 : {false, true}) {
      TunnelSpec t;
      t.method = m;
      t.outer_src = addr(v6 ? "2001:db8:2::11" : "198.51.100.11");
      t.outer_dst = addr(v6 ? "2001:db8:3::101" : "10.99.0.101");
      std::string mix = v6 ? " 6in6" : " 4in4";
      out.push_back(
          {method_name(m) + mix, ethernet(EthSpec{}, tunnel_packet(t, inner(v6))), counter});
    }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  CLI::App app{"xlb-decap ns/packet under BPF_PROG_TEST_RUN"};
  app.add_flag("--json", opt.json, "JSON output");
  app.add_option("--runs", opt.runs, "runs per figure")->check(CLI::PositiveNumber);
  app.add_option("--calls", opt.calls, "calls per run")->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(0, &set);
  sched_setaffinity(0, sizeof set, &set);

  PrivateBpffs fs;
  if (!fs.ok()) die("bpffs: " + fs.error());
  std::string dir = fs.path() + "/decap";
  auto prog = load_decap(dir, DecapPorts{});
  if (!prog) die("load: " + prog.error().message);
  auto n = decap_update_addresses(dir, {addr("10.99.0.101"), addr("2001:db8:3::101")}, {});
  if (!n) die("addresses: " + n.error().message);
  floor_bpf* floor = floor_bpf::open_and_load();
  if (!floor) die("cannot load floor.bpf.c");
  Summary base = sample(bpf_program__fd(floor->progs.floor_pass), scenarios()[0].frame, opt);

  std::vector<std::vector<std::string>> rows = {{"scenario", "ns/packet", "net of floor"}};
  nlohmann::json out = {{"floor_pass", bench::to_json(base)},
                        {"scenarios", nlohmann::json::array()}};
  rows.push_back({"floor (XDP_PASS)", bench::cell(base), "-"});
  for (const Scenario& s : scenarios()) {
    auto before = decap_counters(dir);
    Summary gross = sample(prog->fd(), s.frame, opt);
    auto after = decap_counters(dir);
    int counter = s.counter < 0 ? XLB_DC_PASS : s.counter;
    if (!before || !after || (*after)[counter] - (*before)[counter] == 0)
      die(s.name + ": not counted as " + decap_counter_name(counter));
    Summary net{gross.median - base.median, gross.min - base.median, gross.max - base.median};
    rows.push_back({s.name, bench::cell(gross), bench::cell(net)});
    out["scenarios"].push_back(
        {{"scenario", s.name}, {"gross", bench::to_json(gross)}, {"net", bench::to_json(net)}});
  }
  floor_bpf::destroy(floor);
  if (opt.json)
    std::printf("%s\n", out.dump(2).c_str());
  else
    bench::print_table(rows);
  return 0;
}
