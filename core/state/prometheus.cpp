#include "state/prometheus.hpp"

#include <functional>

#include "model/health_vips.hpp"

namespace xlb {

using nlohmann::json;

namespace {

std::string label(const std::string& k, const std::string& v) {
  std::string esc;
  for (char ch : v) {
    if (ch == '\\' || ch == '"') esc += '\\';
    if (ch == '\n') {
      esc += "\\n";
      continue;
    }
    esc += ch;
  }
  return k + "=\"" + esc + "\"";
}

std::string service_labels(const json& s) {
  return label("service", s["name"]) + "," + label("vip", s["vip"]) + "," +
         label("port", std::to_string(s["port"].get<int>())) + "," + label("proto", s["proto"]);
}

struct Family {
  const char* name;
  const char* type;
  const char* help;
};

void header(std::string& out, const Family& f) {
  out +=
      std::string("# HELP ") + f.name + " " + f.help + "\n# TYPE " + f.name + " " + f.type + "\n";
}

void per_service(std::string& out, const json& stats, const Family& f, const char* key) {
  header(out, f);
  for (const auto& s : stats["services"])
    out += std::string(f.name) + "{" + service_labels(s) + "} " + s[key].dump() + "\n";
}

void per_backend(std::string& out, const json& stats, const Family& f,
                 const std::function<std::string(const json&)>& value) {
  header(out, f);
  for (const auto& s : stats["services"])
    for (const auto& b : s["backends"])
      out += std::string(f.name) + "{" + service_labels(s) + "," + label("backend", b["address"]) +
             "} " + value(b) + "\n";
}

void global(std::string& out, const json& stats) {
  header(out, {"xlb_xdp_actions_total", "counter", "Packets by XDP verdict."});
  for (const char* a : {"pass", "tx", "drop", "redirect", "aborted"})
    out += std::string("xlb_xdp_actions_total{") + label("action", a) + "} " +
           stats["global"][a].dump() + "\n";
  header(out, {"xlb_drops_total", "counter", "Dropped packets by reason."});
  for (const auto& [k, v] : stats["global"].items())
    if (k.rfind("drop_", 0) == 0)
      out += "xlb_drops_total{" + label("reason", k.substr(5)) + "} " + v.dump() + "\n";
  header(out,
         {"xlb_hc_packets_total", "counter", "Health-check NAT packets translated, by direction."});
  out += "xlb_hc_packets_total{" + label("direction", "probe") + "} " +
         stats["global"]["hc_probes"].dump() + "\n";
  out += "xlb_hc_packets_total{" + label("direction", "reply") + "} " +
         stats["global"]["hc_replies"].dump() + "\n";
  header(out, {"xlb_hc_reply_clashes_total", "counter",
               "Health-check probes that took over another probe's reply tuple."});
  out += "xlb_hc_reply_clashes_total " + stats["global"]["hc_reply_clash"].dump() + "\n";
  header(out, {"xlb_flow_guard_skipped_total", "counter",
               "SYNs balanced but not recorded in the flow table (flow guard)."});
  out += "xlb_flow_guard_skipped_total " + stats["global"]["flow_guard_skipped"].dump() + "\n";
  header(out, {"xlb_fib_lookups_total", "counter",
               "Kernel FIB lookups made by the datapath: health-check probes by a tunnel, and "
               "tunnel packets whose next hop is unresolved."});
  out += "xlb_fib_lookups_total " + stats["global"]["fib_lookups"].dump() + "\n";
}

void vips(std::string& out, const Config& cfg) {
  header(out, {"xlb_vip_announced", "gauge",
               "1 while every service of the VIP has its needed healthy backends."});
  for (const auto& v : vip_states(cfg))
    out +=
        "xlb_vip_announced{" + label("vip", v.vip.str()) + "} " + (v.announced ? "1" : "0") + "\n";
}

void failures(std::string& out, const json& stats, const HealthMetrics& h) {
  per_backend(out, stats,
              {"xlb_backend_check_failures_total", "counter", "Failed health-check probes."},
              [&](const json& b) {
                auto a = IpAddr::parse(b["address"].get<std::string>());
                auto it = h.check_failures.find({b["service"].get<std::string>(), *a});
                return std::to_string(it == h.check_failures.end() ? 0 : it->second);
              });
}

}  // namespace

std::string prometheus_text(const Config& cfg, const json& stats, const HealthMetrics* health) {
  std::string out;
  per_service(out, stats,
              {"xlb_vip_packets_total", "counter", "Packets received for a virtual service."},
              "packets");
  per_service(out, stats,
              {"xlb_vip_bytes_total", "counter", "Bytes received for a virtual service."}, "bytes");
  per_service(out, stats, {"xlb_vip_flows_total", "counter", "New flows of a virtual service."},
              "flows");
  auto field = [](const char* k) { return [k](const json& b) { return b[k].dump(); }; };
  per_backend(out, stats, {"xlb_backend_packets_total", "counter", "Packets sent to a backend."},
              field("packets"));
  per_backend(out, stats, {"xlb_backend_bytes_total", "counter", "Bytes sent to a backend."},
              field("bytes"));
  per_backend(out, stats, {"xlb_backend_flows_total", "counter", "New flows sent to a backend."},
              field("flows"));
  per_backend(out, stats, {"xlb_backend_weight", "gauge", "Configured weight of a backend."},
              field("weight"));
  per_backend(out, stats, {"xlb_backend_up", "gauge", "1 when the backend is healthy."},
              [](const json& b) { return std::string(b["health"] == "up" ? "1" : "0"); });
  per_backend(out, stats,
              {"xlb_backend_resolved", "gauge",
               "0 while the backend's next hop (MAC) is unresolved: out of the tables."},
              [](const json& b) { return std::string(b["next_hop"] == "unresolved" ? "0" : "1"); });
  per_backend(out, stats, {"xlb_backend_enabled", "gauge", "1 unless the backend is drained."},
              [](const json& b) { return std::string(b["state"] == "enabled" ? "1" : "0"); });
  if (health) failures(out, stats, *health);
  vips(out, cfg);
  global(out, stats);
  header(out, {"xlb_build_info", "gauge", "Build information."});
  out += "xlb_build_info{" + label("version", XLB_VERSION) + "} 1\n";
  return out;
}

}  // namespace xlb
