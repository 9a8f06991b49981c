#include "health/healthd.hpp"

#include <sys/resource.h>

#include <algorithm>

#include "health/health_checker.hpp"
#include "health/health_export.hpp"
#include "health/next_hop_follow.hpp"
#include "health/weights_follow.hpp"
#include "model/health_vips.hpp"
#include "model/ops.hpp"
#include "net/ipv6.hpp"
#include "state/flows.hpp"
#include "state/prometheus.hpp"
#include "state/state.hpp"
#include "state/view.hpp"

namespace xlb {

namespace {

// One transaction for every transition of the round.
Status write_health(State& st, const std::vector<HealthChange>& changes) {
  return st.update([&](Config& next) -> Status {
    // The only failure is a backend (or service) removed since the round
    // read the configuration: there is no health left to write for it.
    for (const auto& c : changes)
      (void)backend_set_health(next, ServiceRef{c.service, {}, {}}, c.backend, c.health);
    return {};
  });
}

std::string describe(const std::vector<IpPrefix>& vips) {
  std::string s;
  for (const auto& v : vips) s += (s.empty() ? "" : " ") + v.brief();
  return s.empty() ? "none" : s;
}

// `ipvs_names`: node_exporter's node_ipvs_* families too (their connection
// gauges count the flow table).
Result<std::string> metrics_text(const State& st, const HealthMetrics& h, bool ipvs_names) {
  auto live = read_live_view(st);
  if (!live) return live.error();
  auto services = select_services(live->config, std::nullopt);
  if (!services) return services.error();
  std::optional<BackendConnections> conns;
  if (ipvs_names) {
    auto flows = list_flows(st.maps());
    if (!flows) return flows.error();
    conns = backend_connections(*flows);
  }
  return prometheus_text(live->config, stats_view(live->stats, *services), &h,
                         conns ? &*conns : nullptr);
}

}  // namespace

void Healthd::export_vips(const std::vector<IpPrefix>& vips) {
  if (exported_ && *exported_ == vips) return;
  bool ok = true;
  if (!opts_.bird_include.empty()) {
    std::string text = bird_include_text(vips);
    Status s = read_file(opts_.bird_include) == text ? Status{}
                                                     : write_file_atomic(opts_.bird_include, text);
    if (s) s = bird_configure(opts_.birdc, opts_.bird_socket);
    if (!s) log_("route export to BIRD failed (will retry): " + s.error().message);
    ok = ok && s.ok();
  }
  if (opts_.kernel_table) {
    Status s = kernel_routes_sync(*opts_.kernel_table, opts_.kernel_proto, vips);
    if (!s)
      log_("route export to kernel table " + std::to_string(*opts_.kernel_table) +
           " failed (will retry): " + s.error().message);
    ok = ok && s.ok();
  }
  if (!ok) return;
  if (!exported_ || *exported_ != vips) log_("VIPs announced: " + describe(vips));
  exported_ = vips;
}

void Healthd::withdraw() {
  if (exported_ && exported_->empty()) return;
  exported_.reset();
  log_("withdrawing every VIP on exit");
  export_vips({});
}

namespace {

// Raises the open-file limit to its hard maximum: every probe in flight
// holds a socket. Returns how many probes may be in flight.
size_t probe_slots() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return 512;
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);
  getrlimit(RLIMIT_NOFILE, &rl);
  return rl.rlim_cur > 128 ? static_cast<size_t>(std::min<rlim_t>(rl.rlim_cur - 64, 65536)) : 64;
}

constexpr auto kReadEvery = std::chrono::milliseconds(500);

// The daemon's view of the configuration: the model decoded at most every
// kReadEvery (not at every probe completion), and at once after a write.
struct LiveConfig {
  State& state;
  HealthChecker& checker;
  Config config;
  HealthClock::time_point read_at{};

  Status refresh(bool force) {
    if (!force && HealthClock::now() - read_at < kReadEvery) return {};
    auto c = state.read();
    if (!c) return c.error();
    config = std::move(*c);
    read_at = HealthClock::now();
    checker.sync(config);
    return {};
  }
};

}  // namespace

void Healthd::write_metrics(const State& st, const HealthChecker& checker) {
  if (opts_.textfile.empty()) return;
  if (!opts_.once && HealthClock::now() - metrics_at_ < std::chrono::seconds(1)) return;
  metrics_at_ = HealthClock::now();
  auto text = metrics_text(st, {checker.failures()}, opts_.ipvs_names);
  Status s = text ? write_file_atomic(opts_.textfile, *text) : Status(text.error());
  if (!s) log_("cannot write metrics: " + s.error().message);
}

// A sweep walks the whole flow table: at most once a second.
void Healthd::sweep_flows(const State& st) {
  if (!opts_.once && HealthClock::now() - swept_at_ < std::chrono::seconds(1)) return;
  swept_at_ = HealthClock::now();
  auto r = expire_flows(st.maps());
  if (!r) {
    log_("cannot sweep the flow table: " + r.error().message);
    return;
  }
  if (r->expired || r->stale || r->persist)
    debug_("flow sweep: removed " + std::to_string(r->expired) + " expired and " +
           std::to_string(r->stale) + " stale flows, " + std::to_string(r->persist) +
           " persistence entries");
}

// Dynamic weights move slowly on purpose: at most every 5 s (and in --once,
// once the probes are in), so the Maglev tables do not churn.
constexpr auto kWeightsEvery = std::chrono::seconds(5);

bool Healthd::follow_weights(State& st, const Config& cfg, const HealthChecker& checker) {
  if (!opts_.once && HealthClock::now() - weighed_at_ < kWeightsEvery) return false;
  weighed_at_ = HealthClock::now();
  auto r = follow_dynamic_weights(st, cfg, checker, log_);
  if (!r) log_("cannot update dynamic weights (will retry): " + r.error().message);
  return r && *r > 0;
}

Status Healthd::run(const std::atomic<bool>& stop, std::atomic<bool>& reload,
                    const std::function<void()>& on_reload, const std::function<void()>& alive) {
  auto st = State::open(opts_.pin_path);
  if (!st) return st.error();
  auto loop = ProbeLoop::create();
  if (!loop) return loop.error();
  HealthChecker checker(std::move(*loop), {opts_.direct, !opts_.once, probe_slots()}, log_, debug_);
  LiveConfig live{*st, checker, {}};
  if (!ipv6_enabled())
    log_("note: IPv6 is disabled on this host: only IPv4 backends can be probed");
  NextHopFollower next_hops(log_);
  if (!opts_.once) next_hops.open();
  if (next_hops.fd() >= 0) checker.watch(next_hops.fd());
  while (!stop) {
    if (alive) alive();
    if (reload.exchange(false)) on_reload();
    XLB_TRY(live.refresh(next_hops.step(*st)));
    checker.step(std::min(HealthClock::now() + std::chrono::seconds(1), live.read_at + kReadEvery));
    if (opts_.once && !checker.all_probed()) continue;
    // Every transition of the round in one transaction.
    auto changes = checker.changes(live.config);
    if (!changes.empty()) {
      Status w = write_health(*st, changes);
      if (!w) log_("cannot write backend health (will retry): " + w.error().message);
      for (const auto& warning : st->warnings()) log_("warning: " + warning);
      XLB_TRY(live.refresh(true));
    }
    if (follow_weights(*st, live.config, checker)) XLB_TRY(live.refresh(true));
    export_vips(announced_vips(live.config));
    write_metrics(*st, checker);
    sweep_flows(*st);
    if (opts_.once) break;
  }
  return {};
}

}  // namespace xlb
