// stats [SERVICE] [--rate] [--prometheus]; stats reset
#include <chrono>
#include <thread>

#include "handlers.hpp"
#include "state/prometheus.hpp"
#include "state/view.hpp"

namespace xlb::cli {

namespace {

std::string stats_row(const std::string& lead, const json& c, const char* a, const char* b,
                      const char* d) {
  return pad(lead, 33) + human_count(c[a]) + human_count(c[b]) + human_count(c[d]) + "\n";
}

std::string service_label(const json& s) {
  auto a = IpAddr::parse(s["vip"].get<std::string>());
  return std::string(s["proto"] == "tcp" ? "TCP  " : "UDP  ") +
         Endpoint{*a, s["port"].get<uint16_t>()}.display() + " " + s["name"].get<std::string>();
}

std::string stats_text(const json& m, bool rate) {
  const char* f = rate ? "cps" : "flows";
  const char* p = rate ? "pps" : "packets";
  const char* b = rate ? "bps" : "bytes";
  std::string out = pad("Prot LocalAddress:Port Name", 33) +
                    (rate ? "      CPS    InPPS    InBPS\n" : "    Flows   InPkts  InBytes\n") +
                    "  -> RemoteAddress\n";
  for (const auto& s : m["services"]) {
    out += stats_row(service_label(s), s, f, p, b);
    for (const auto& be : s["backends"])
      out += stats_row("  -> " + be["address"].get<std::string>(), be, f, p, b);
  }
  out += "\nGlobal:";
  for (const auto& [k, v] : m["global"].items()) out += " " + k + " " + v.dump();
  return out + "\n";
}

Result<json> snapshot(const State& st, const Config& cfg, const std::optional<ServiceRef>& ref) {
  auto stats = read_stats(st.maps(), cfg);
  if (!stats) return stats.error();
  auto services = select_services(cfg, ref);
  if (!services) return services.error();
  json list = json::array();
  for (const Service* s : *services) list.push_back(service_view(*s, &*stats));
  return json{{"services", list}, {"global", global_view(*stats)}};
}

// Per-second figures from two snapshots `ms` apart.
void to_rates(json& now, const json& before, uint32_t ms) {
  auto per_sec = [&](const json& a, const json& b, const char* k) {
    uint64_t d = a[k].get<uint64_t>() - std::min(a[k].get<uint64_t>(), b[k].get<uint64_t>());
    return d * 1000 / ms;
  };
  auto convert = [&](json& a, const json& b) {
    a["cps"] = per_sec(a, b, "flows");
    a["pps"] = per_sec(a, b, "packets");
    a["bps"] = per_sec(a, b, "bytes");
  };
  for (size_t i = 0; i < now["services"].size(); i++) {
    convert(now["services"][i], before["services"][i]);
    for (size_t j = 0; j < now["services"][i]["backends"].size(); j++)
      convert(now["services"][i]["backends"][j], before["services"][i]["backends"][j]);
  }
  for (auto& [k, v] : now["global"].items())
    v = (v.get<uint64_t>() - std::min(v.get<uint64_t>(), before["global"][k].get<uint64_t>())) *
        1000 / ms;
}

}  // namespace

Status handle(const cmd::Stats& c, Context& ctx) {
  auto st = open_state(ctx);
  if (!st) return st.error();
  auto cfg = st->read();
  if (!cfg) return cfg.error();
  auto snap = snapshot(*st, *cfg, c.ref);
  if (!snap) return snap.error();
  if (c.prometheus) {
    ctx.out.text(prometheus_text(*cfg, *snap));
    return {};
  }
  if (c.rate) {
    std::this_thread::sleep_for(std::chrono::milliseconds(c.interval_ms));
    auto later = snapshot(*st, *cfg, c.ref);
    if (!later) return later.error();
    to_rates(*later, *snap, c.interval_ms);
    snap = std::move(later);
  }
  ctx.out.print(*snap, [&](const json& m) { return stats_text(m, c.rate); });
  return {};
}

Status handle(const cmd::StatsReset&, Context& ctx) {
  auto st = open_state(ctx);
  if (!st) return st.error();
  auto cfg = st->read();
  if (!cfg) return cfg.error();
  return reset_stats(st->maps(), *cfg);
}

}  // namespace xlb::cli
