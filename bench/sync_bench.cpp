// Flow sync figures, one run:
//   - the datapath's cost of a new flow with export off and on (ns, net of
//     nothing: both are the same call, so the difference is the export),
//     under BPF_PROG_TEST_RUN, alternating blocks of off and on;
//   - flows per second through one syncd's receive path on one core:
//     encode, UDP over loopback, authenticate, replay check, resolve and
//     install into a real flow table;
//   - a bulk sync of 1,000,000 flows: walk the sender's table, encode, send
//     over loopback, receive, authenticate and install into a second table.
//
//   xlb_bench_sync [--json] [--calls N] [--flows N] [--bulk N]
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "bpffs.hpp"
#include "datapath_fixture.hpp"
#include "model/ops.hpp"
#include "packet.hpp"
#include "report.hpp"
#include "state/loader.hpp"
#include "state/state.hpp"
#include "sync/export.hpp"
#include "sync/flow_table.hpp"
#include "sync/replay.hpp"
#include "sync/resolver.hpp"
#include "sync/wire.hpp"

namespace {

using namespace xlb;
using namespace xlb::test;
using Clock = std::chrono::steady_clock;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "xlb_bench_sync: %s\n", what.c_str());
  std::exit(1);
}

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// One load balancer: the real datapath in its own pin directory.
struct Lb {
  LoadedProgram prog;
  State state;
  std::string pin;
};

Lb load_lb(const std::string& pin, uint32_t flows) {
  LoadOptions lo;
  lo.pin_path = pin;
  lo.caps = Capacities{.services = 8, .backends = 256, .flows = flows};
  lo.iface_mac = *MacAddr::parse("02:00:00:00:00:01");
  auto prog = load_datapath(lo);
  if (!prog) die("load: " + prog.error().message);
  auto st = State::open(pin);
  if (!st) die("open: " + st.error().message);
  Status s = st->update([](Config& c) -> Status {
    Service svc = make_service("web", Proto::tcp, "192.0.2.10", 80);
    for (uint32_t i = 1; i <= 16; i++) {
      std::string a = "10.0.0." + std::to_string(i);
      svc.backends.push_back(make_backend(a.c_str(), backend_mac(i)));
    }
    return service_add(c, std::move(svc));
  });
  if (!s) die("configure: " + s.error().message);
  return Lb{std::move(*prog), std::move(*st), pin};
}

Bytes syn(uint64_t i) {
  PacketSpec p;
  p.ip.src = client_addr(static_cast<uint32_t>(i >> 14));
  p.ip.dst = ip("192.0.2.10");
  p.ip.proto = IPPROTO_TCP;
  p.l4.sport = static_cast<uint16_t>(1024 + (i & 0x3fff));
  p.l4.dport = 80;
  p.l4.tcp_flags = kTcpSyn;
  return frame(p);
}

uint32_t run_ns(int fd, const Bytes& f) {
  LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f.data(),
              .data_size_in = static_cast<uint32_t>(f.size()), .repeat = 1);
  if (bpf_prog_test_run_opts(fd, &o) != 0 || o.retval != XDP_TX) die("test run failed");
  return o.duration;
}

// ns per new flow, export off and on, alternating blocks so that both see
// the same table fill and the same machine.
std::pair<double, double> new_flow_cost(Lb& lb, int calls) {
  auto reader = sync::EventReader::open(lb.pin, [](const sync::FlowRecord&) {});
  if (!reader) die(reader.error().message);
  std::vector<double> off, on;
  uint64_t next = 0;
  for (int block = 0; block < 20; block++) {
    const bool exporting = block % 2;
    if (!sync::set_export(lb.pin, exporting, 5)) die("set export");
    std::vector<Bytes> frames;
    for (int i = 0; i < calls / 10; i++) frames.push_back(syn(next++));
    auto& out = exporting ? on : off;
    for (const auto& f : frames) out.push_back(run_ns(lb.prog.fd(), f));
    reader->drain();
  }
  (void)sync::set_export(lb.pin, false, 5);
  return {bench::median_of(off), bench::median_of(on)};
}

// Records of `n` distinct flows spread over the service's backends.
std::vector<sync::FlowRecord> records(uint64_t n) {
  std::vector<sync::FlowRecord> out(n);
  for (uint64_t i = 0; i < n; i++) {
    auto& r = out[i];
    r.key = flow_key(Proto::tcp,
                     Endpoint{client_addr(static_cast<uint32_t>(i >> 14)),
                              static_cast<uint16_t>(1024 + (i & 0x3fff))},
                     Endpoint{ip("192.0.2.10"), 80});
    r.svc_port = 80;
    r.backend = ip(("10.0.0." + std::to_string(1 + i % 16)).c_str());
    r.age = 1;
  }
  return out;
}

struct Loopback {
  int tx = -1, rx = -1;
  sockaddr_in to{};
};

Loopback loopback() {
  Loopback l;
  l.tx = socket(AF_INET, SOCK_DGRAM, 0);
  l.rx = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  const int big = 64 << 20;
  setsockopt(l.rx, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big);
  l.to.sin_family = AF_INET;
  l.to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(l.rx, reinterpret_cast<sockaddr*>(&l.to), sizeof l.to) != 0) die("bind");
  socklen_t len = sizeof l.to;
  getsockname(l.rx, reinterpret_cast<sockaddr*>(&l.to), &len);
  return l;
}

// Receives and installs every waiting datagram; flows installed.
uint64_t receive(const Loopback& l, const sync::Key& key, sync::ReplayGuard& replay,
                 const sync::Resolver& res, int flows_fd) {
  std::vector<uint8_t> buf(65536);
  uint64_t installed = 0;
  for (;;) {
    ssize_t n = recv(l.rx, buf.data(), buf.size(), 0);
    if (n < 0) return installed;
    auto d = sync::decode(key, std::span(buf.data(), static_cast<size_t>(n)));
    if (d.reject != sync::Reject::none) die("rejected");
    if (!replay.accept(d.datagram.header.sender, d.datagram.header.seq)) die("replay");
    installed +=
        sync::install_flows(flows_fd, res, d.datagram.flows, sync::monotonic_seconds()).installed;
  }
}

// Sends `flows` in datagrams of `batch`, receiving as it goes (one core).
uint64_t transfer(const std::vector<sync::FlowRecord>& flows, size_t batch, Lb& to) {
  const auto key = *sync::Key::from_bytes("bench-key-0123456789abcdef");
  auto cfg = to.state.read();
  if (!cfg) die("read");
  sync::Resolver res(*cfg);
  sync::ReplayGuard replay;
  Loopback l = loopback();
  uint64_t seq = 1, installed = 0;
  for (size_t i = 0; i < flows.size(); i += batch) {
    const size_t n = std::min(batch, flows.size() - i);
    auto d = sync::encode(key, {sync::MsgType::flows, 1, seq++}, std::span(&flows[i], n));
    sendto(l.tx, d.data(), d.size(), 0, reinterpret_cast<const sockaddr*>(&l.to), sizeof l.to);
    if (seq % 64 == 0) installed += receive(l, key, replay, res, to.state.maps().flows());
  }
  installed += receive(l, key, replay, res, to.state.maps().flows());
  close(l.tx);
  close(l.rx);
  return installed;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"xlb flow sync figures"};
  bool as_json = false;
  int calls = 20000;
  uint64_t nflows = 200000, bulk = 1000000;
  app.add_flag("--json", as_json);
  app.add_option("--calls", calls, "new flows timed (half with export on)");
  app.add_option("--flows", nflows, "flows of the steady-state figure");
  app.add_option("--bulk", bulk, "flows of the bulk sync");
  CLI11_PARSE(app, argc, argv);
  if (geteuid() != 0) die("needs root (BPF)");
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(0, &set);
  sched_setaffinity(0, sizeof set, &set);

  PrivateBpffs fs;
  if (!fs.ok()) die("bpffs: " + fs.error());
  // Sized for a per-CPU LRU (map layout 5 and before), where entries
  // written from one CPU (this process is pinned to CPU 0) share
  // max_entries / CPUs of it; more than the common LRU of layout 6 needs.
  const uint64_t cpus = static_cast<uint64_t>(std::max(1, libbpf_num_possible_cpus()));
  const auto cap = static_cast<uint32_t>(std::max<uint64_t>(bulk, nflows) * cpus * 5 / 4);
  Lb a = load_lb(fs.path() + "/a", cap);
  Lb b = load_lb(fs.path() + "/b", cap);

  auto [off, on] = new_flow_cost(a, calls);

  auto steady = records(nflows);
  auto t = Clock::now();
  uint64_t got = transfer(steady, sync::kDefaultBatch, b);
  const double steady_s = seconds_since(t);
  auto flushed = flush_flows(b.state.maps(), [](const Flow&) { return true; });
  (void)flushed;

  // The sender's table holds `bulk` live flows (installed as a peer would).
  auto bulk_flows = records(bulk);
  {
    auto cfg = a.state.read();
    sync::Resolver res(*cfg);
    (void)sync::install_flows(a.state.maps().flows(), res, bulk_flows, sync::monotonic_seconds());
  }
  t = Clock::now();
  std::vector<sync::FlowRecord> walked;
  walked.reserve(bulk);
  auto cfg = a.state.read();
  sync::Resolver res_a(*cfg);
  Status w = sync::walk_live_flows(a.state.maps(), res_a,
                                   [&](const sync::FlowRecord& r) { walked.push_back(r); });
  if (!w) die("walk: " + w.error().message);
  uint64_t bulk_installed = transfer(walked, sync::kDefaultBatch, b);
  const double bulk_s = seconds_since(t);

  nlohmann::json j = {{"new_flow_ns_export_off", off},
                      {"new_flow_ns_export_on", on},
                      {"export_added_ns", on - off},
                      {"export_added_ratio", off > 0 ? (on - off) / off : 0.0},
                      {"steady_flows", nflows},
                      {"steady_installed", got},
                      {"steady_flows_per_s", got / steady_s},
                      {"bulk_flows", bulk},
                      {"bulk_walked", walked.size()},
                      {"bulk_installed", bulk_installed},
                      {"bulk_seconds", bulk_s}};
  if (as_json) {
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  }
  std::printf("new flow, export off   %8.1f ns\n", off);
  std::printf("new flow, export on    %8.1f ns  (+%.1f ns, +%.1f%%)\n", on, on - off,
              off > 0 ? 100 * (on - off) / off : 0.0);
  std::printf("steady state           %8.0f flows/s synced (%lu of %lu installed, one core)\n",
              got / steady_s, static_cast<unsigned long>(got), static_cast<unsigned long>(nflows));
  std::printf("bulk sync              %8.2f s for %lu flows (%lu walked, %lu installed)\n", bulk_s,
              static_cast<unsigned long>(bulk), static_cast<unsigned long>(walked.size()),
              static_cast<unsigned long>(bulk_installed));
  return 0;
}
