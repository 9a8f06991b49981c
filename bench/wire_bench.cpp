// The BPF side of the wire-rate bench; bench/wire_bench.sh builds the lab
// and calls it.
//
//   xlb_bench_wire attach --netns NS --dev DEV
//                         --prog floor_tx|floor_pass|floor_drop|flow_floor
//       attaches a floor program (native XDP, stays after exit); flow_floor
//       (flow_floor.bpf.c) with a flow table of its own, empty
//   xlb_bench_wire send --netns NS --dev DEV --frame HEX --packets N
//                       [--fresh | --cycle N [--cycle-base A.B.C.D]]
//       attaches the counter to DEV, sends N copies of the frame out of DEV
//       (--fresh: each from a client endpoint never used before; --cycle:
//       from N source addresses in turn, the first cycle-base)
//       with BPF_F_TEST_XDP_LIVE_FRAMES (the generator program returns
//       XDP_TX), waits for stragglers, prints
//       "sent N received M seconds S" and detaches the counter.
//
// The caller pins it to a CPU with taskset: live frames send from the
// calling CPU, and veth processes what it receives in NAPI on the same CPU,
// so generator, load balancer and counter share that core.
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <sched.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "floor.skel.h"
#include "flow_floor.skel.h"
#include "wire.skel.h"

namespace {

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "xlb_bench_wire: %s\n", what.c_str());
  std::exit(1);
}

void enter_netns(const std::string& ns) {
  std::string path = "/var/run/netns/" + ns;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) die("cannot enter netns " + ns);
  close(fd);
}

int ifindex_of(const std::string& dev) {
  int i = static_cast<int>(if_nametoindex(dev.c_str()));
  if (!i) die("no device " + dev);
  return i;
}

std::vector<uint8_t> from_hex(const std::string& hex) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
  return out;
}

void attach_or_die(const std::string& dev, bpf_program* p, const std::string& prog) {
  if (bpf_xdp_attach(ifindex_of(dev), bpf_program__fd(p), XDP_FLAGS_DRV_MODE, nullptr) != 0)
    die("cannot attach " + prog + " to " + dev);
}

int attach_flow_floor(const std::string& dev) {
  flow_floor_bpf* f = flow_floor_bpf::open_and_load();
  if (!f) die("cannot load flow_floor.bpf.c");
  attach_or_die(dev, f->progs.flow_floor, "flow_floor");
  flow_floor_bpf::destroy(f);  // the attachment holds the program and its map
  return 0;
}

int attach_floor(const std::string& dev, const std::string& prog) {
  if (prog == "flow_floor") return attach_flow_floor(dev);
  floor_bpf* f = floor_bpf::open_and_load();
  if (!f) die("cannot load floor.bpf.c");
  bpf_program* p = prog == "floor_tx"     ? f->progs.floor_tx
                   : prog == "floor_drop" ? f->progs.floor_drop
                                          : f->progs.floor_pass;
  attach_or_die(dev, p, prog);
  floor_bpf::destroy(f);  // the attachment holds the program
  return 0;
}

uint64_t received(const wire_bpf* w) {
  int ncpu = libbpf_num_possible_cpus();
  std::vector<uint64_t> v(ncpu);
  uint32_t zero = 0;
  if (bpf_map_lookup_elem(bpf_map__fd(w->maps.wire_rx), &zero, v.data()) != 0)
    die("cannot read the counter");
  uint64_t sum = 0;
  for (uint64_t x : v) sum += x;
  return sum;
}

// Which frames the generator sends: one, a new client each, or a cycle.
struct Pattern {
  bool fresh = false;
  uint32_t cycle = 0;  // 0: no cycle
  std::string cycle_base = "10.0.0.0";
};

wire_bpf* load_wire(const Pattern& pat) {
  wire_bpf* w = wire_bpf::open();
  if (!w) die("cannot open wire.bpf.c");
  in_addr base{};
  if (inet_pton(AF_INET, pat.cycle_base.c_str(), &base) != 1) die("bad --cycle-base");
  w->rodata->cycle = pat.cycle ? pat.cycle : 1;
  w->rodata->cycle_base = ntohl(base.s_addr);
  if (wire_bpf::load(w) != 0) die("cannot load wire.bpf.c");
  return w;
}

bpf_program* generator(const wire_bpf* w, const Pattern& pat) {
  if (pat.cycle) return w->progs.wire_gen_cycle;
  return pat.fresh ? w->progs.wire_gen_fresh : w->progs.wire_gen;
}

int send(const std::string& dev, const std::string& hex, uint32_t packets, const Pattern& pat) {
  wire_bpf* w = load_wire(pat);
  int ifindex = ifindex_of(dev);
  if (bpf_xdp_attach(ifindex, bpf_program__fd(w->progs.wire_count), XDP_FLAGS_DRV_MODE, nullptr) !=
      0)
    die("cannot attach the counter to " + dev);
  std::vector<uint8_t> frame = from_hex(hex);
  xdp_md ctx = {};
  ctx.data_end = static_cast<uint32_t>(frame.size());
  ctx.ingress_ifindex = static_cast<uint32_t>(ifindex);
  LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame.data(),
              .data_size_in = static_cast<uint32_t>(frame.size()), .ctx_in = &ctx,
              .ctx_size_in = sizeof ctx, .repeat = static_cast<int>(packets),
              .flags = BPF_F_TEST_XDP_LIVE_FRAMES);
  auto t0 = std::chrono::steady_clock::now();
  bpf_program* gen = generator(w, pat);
  int rc = bpf_prog_test_run_opts(bpf_program__fd(gen), &o);
  auto t1 = std::chrono::steady_clock::now();
  if (rc != 0) die("BPF_PROG_TEST_RUN (live frames) failed");
  // Frames still in a veth ring when the call returns land within ms.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  double secs = std::chrono::duration<double>(t1 - t0).count();
  std::printf("sent %u received %llu seconds %.6f\n", packets,
              static_cast<unsigned long long>(received(w)), secs);
  bpf_xdp_detach(ifindex, XDP_FLAGS_DRV_MODE, nullptr);
  wire_bpf::destroy(w);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"xlb wire-rate bench helper (see bench/wire_bench.sh)"};
  app.require_subcommand(1);
  std::string ns, dev, prog, hex;
  uint32_t packets = 10000000;
  Pattern pat;
  auto* attach = app.add_subcommand("attach", "attach a floor program");
  attach->add_option("--netns", ns)->required();
  attach->add_option("--dev", dev)->required();
  attach->add_option("--prog", prog)
      ->required()
      ->check(CLI::IsMember({"floor_tx", "floor_pass", "floor_drop", "flow_floor"}));
  auto* sender = app.add_subcommand("send", "send live frames and count what comes back");
  sender->add_option("--netns", ns)->required();
  sender->add_option("--dev", dev)->required();
  sender->add_option("--frame", hex, "the frame, hex")->required();
  sender->add_option("--packets", packets);
  auto* fresh = sender->add_flag("--fresh", pat.fresh, "a new client endpoint per frame");
  sender->add_option("--cycle", pat.cycle, "N source addresses in turn")
      ->check(CLI::Range(1u, 1u << 24))
      ->excludes(fresh);
  sender->add_option("--cycle-base", pat.cycle_base, "the first source address of the cycle");
  CLI11_PARSE(app, argc, argv);
  enter_netns(ns);
  if (*attach) return attach_floor(dev, prog);
  return send(dev, hex, packets, pat);
}
