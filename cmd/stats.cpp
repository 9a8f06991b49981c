// stats [SERVICE] [--rate [interval MS] [count N]] [--prometheus [--ipvs-names]];
// stats reset [SERVICE]
#include <chrono>
#include <map>
#include <thread>

#include "handlers.hpp"
#include "state/prometheus.hpp"
#include "state/view.hpp"

namespace xlb::cli {

namespace {

std::string stats_row(const std::string& lead, uint64_t a, uint64_t b, uint64_t c) {
  return pad(lead, 33) + human_count(a) + human_count(b) + human_count(c) + "\n";
}

std::string counters_row(const std::string& lead, const Counters& c,
                         const std::optional<Rates>& r) {
  return r ? stats_row(lead, r->cps, r->pps, r->bps)
           : stats_row(lead, c.new_flows, c.packets, c.bytes);
}

std::string service_label(const ServiceView& s) {
  return std::string(s.proto == Proto::tcp ? "TCP  " : "UDP  ") + s.display() + " " + s.name;
}

// The global counters in xlb(8)'s (alphabetical) order, as -j has them.
std::string global_line(const GlobalCounters& g) {
  std::map<std::string, uint64_t> sorted;
  for (int i = 0; i < XLB_G_MAX; i++) sorted[global_counter_name(i)] = g[i];
  std::string out = "\nGlobal:";
  for (const auto& [k, v] : sorted) out += " " + k + " " + std::to_string(v);
  return out + "\n";
}

std::string stats_text(const StatsView& v, bool rate) {
  std::string out = pad("Prot LocalAddress:Port Name", 33) +
                    (rate ? "      CPS    InPPS    InBPS\n" : "    Flows   InPkts  InBytes\n") +
                    "  -> RemoteAddress\n";
  for (const auto& s : v.services) {
    out += counters_row(service_label(s), s.counters, s.rates);
    for (const auto& b : s.backends)
      out += counters_row("  -> " + b.address.str(), b.counters, b.rates);
  }
  out += global_line(v.global);
  // Only where an xlb-syncd ever ran.
  bool synced = false;
  for (uint64_t n : v.sync) synced |= n != 0;
  if (!synced) return out;
  out += "Sync:";
  for (int i = 0; i < XLB_SYNC_C_MAX; i++)
    out += std::string(" ") + sync_counter_name(i) + " " + std::to_string(v.sync[i]);
  return out + "\n";
}

Result<StatsView> snapshot(const State& st, const Config& cfg,
                           const std::vector<const Service*>& services) {
  auto stats = read_stats(st.maps(), cfg);
  if (!stats) return stats.error();
  return stats_view(*stats, services);
}

Status prometheus(const State& st, const Config& cfg, const StatsView& v, bool ipvs_names,
                  Context& ctx) {
  std::optional<BackendConnections> conns;
  if (ipvs_names) {
    auto flows = list_flows(st.maps());
    if (!flows) return flows.error();
    conns = backend_connections(*flows);
  }
  ctx.out.text(prometheus_text(cfg, v, nullptr, conns ? &*conns : nullptr));
  return {};
}

// Like `watch ipvsadm -L --rate`: one report per interval, each measured
// over that interval, until interrupted (or `count` reports).
Status rates(const State& st, const Config& cfg, const std::vector<const Service*>& services,
             const cmd::Stats& c, Context& ctx) {
  auto before = snapshot(st, cfg, services);
  if (!before) return before.error();
  for (uint32_t n = 0; !c.count || n < *c.count; n++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(c.interval_ms));
    auto now = snapshot(st, cfg, services);
    if (!now) return now.error();
    if (n > 0 && !ctx.out.json_mode()) ctx.out.text("\n");
    ctx.out.show(with_rates(*now, *before, c.interval_ms),
                 [](const StatsView& v) { return stats_text(v, true); });
    before = std::move(now);
  }
  return {};
}

}  // namespace

Status handle(const cmd::Stats& c, Context& ctx) {
  auto st = open_state(ctx);
  if (!st) return st.error();
  auto cfg = st->read();
  if (!cfg) return cfg.error();
  auto services = select_services(*cfg, c.ref);
  if (!services) return services.error();
  if (c.rate) return rates(*st, *cfg, *services, c, ctx);
  auto snap = snapshot(*st, *cfg, *services);
  if (!snap) return snap.error();
  if (c.prometheus) return prometheus(*st, *cfg, *snap, c.ipvs_names, ctx);
  ctx.out.show(*snap, [](const StatsView& v) { return stats_text(v, false); });
  return {};
}

Status handle(const cmd::StatsReset& c, Context& ctx) {
  auto st = open_state(ctx);
  if (!st) return st.error();
  auto cfg = st->read();
  if (!cfg) return cfg.error();
  if (!c.ref) return reset_stats(st->maps(), *cfg);
  auto s = find_service(*cfg, *c.ref);
  if (!s) return s.error();
  return reset_service_stats(st->maps(), **s);
}

}  // namespace xlb::cli
