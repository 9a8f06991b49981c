#include "state/prometheus.hpp"

#include <array>
#include <functional>

#include "model/health_vips.hpp"

namespace xlb {

namespace {

// Every XLB_G_* counter, by its enum value: a counter added to xlb_abi.h
// without a row here stops the build (the static_assert below).
constexpr std::array<GlobalMetric, XLB_G_MAX> kGlobalMetrics = [] {
  std::array<GlobalMetric, XLB_G_MAX> m{};
  const char* act = "xlb_xdp_actions_total";
  const char* drops = "xlb_drops_total";
  const char* hc = "xlb_hc_packets_total";
  m[XLB_G_PASS] = {act, "action", "pass"};
  m[XLB_G_TX] = {act, "action", "tx"};
  m[XLB_G_DROP] = {act, "action", "drop"};
  m[XLB_G_REDIRECT] = {act, "action", "redirect"};
  m[XLB_G_ABORTED] = {act, "action", "aborted"};
  m[XLB_G_DROP_NO_SERVICE] = {drops, "reason", "no_service"};
  m[XLB_G_DROP_NO_BACKEND] = {drops, "reason", "no_backend"};
  m[XLB_G_DROP_MALFORMED] = {drops, "reason", "malformed"};
  m[XLB_G_DROP_FRAGMENT] = {drops, "reason", "fragment"};
  m[XLB_G_ICMP_TO_FLOW] = {"xlb_icmp_to_flow_total"};
  m[XLB_G_FLOW_REBALANCED] = {"xlb_flow_rebalanced_total"};
  m[XLB_G_NEW_FLOW] = {"xlb_new_flows_total"};
  m[XLB_G_DROP_NO_NEXTHOP] = {drops, "reason", "no_nexthop"};
  m[XLB_G_DROP_TOO_BIG] = {drops, "reason", "too_big"};
  m[XLB_G_ICMP_TOO_BIG] = {"xlb_icmp_too_big_sent_total"};
  m[XLB_G_DROP_ENCAP] = {drops, "reason", "encap"};
  m[XLB_G_DROP_FWD_DISABLED] = {drops, "reason", "fwd_disabled"};
  m[XLB_G_HC_PROBE] = {hc, "direction", "probe"};
  m[XLB_G_HC_REPLY] = {hc, "direction", "reply"};
  m[XLB_G_DROP_HC_UNKNOWN] = {drops, "reason", "hc_unknown"};
  m[XLB_G_DROP_HC_NO_ROUTE] = {drops, "reason", "hc_no_route"};
  m[XLB_G_HC_REPLY_CLASH] = {"xlb_hc_reply_clashes_total"};
  m[XLB_G_DROP_HC_SOURCE] = {drops, "reason", "hc_source"};
  m[XLB_G_FLOW_GUARD_SKIPPED] = {"xlb_flow_guard_skipped_total"};
  m[XLB_G_FIB_LOOKUP] = {"xlb_fib_lookups_total"};
  m[XLB_G_HC_CHATTER] = {"xlb_hc_chatter_total"};
  m[XLB_G_DROP_HC_PORT] = {drops, "reason", "hc_port"};
  m[XLB_G_DROP_HC_FORWARDED] = {drops, "reason", "hc_forwarded"};
  m[XLB_G_ECHO_REPLY] = {"xlb_echo_replies_total"};
  m[XLB_G_DROP_ECHO_RATE] = {drops, "reason", "echo_rate"};
  m[XLB_G_SYNC_RING_FULL] = {"xlb_sync_ring_full_total"};
  return m;
}();

constexpr bool every_counter_exported() {
  for (const auto& m : kGlobalMetrics)
    if (m.name == nullptr) return false;
  return true;
}
static_assert(every_counter_exported(), "a global counter of xlb_abi.h has no Prometheus metric");

struct Family {
  const char* name;
  const char* type;
  const char* help;
};

// The families of the global counters, in the order they are written.
constexpr Family kGlobalFamilies[] = {
    {"xlb_xdp_actions_total", "counter", "Packets by XDP verdict."},
    {"xlb_drops_total", "counter", "Dropped packets by reason."},
    {"xlb_hc_packets_total", "counter", "Health-check NAT packets translated, by direction."},
    {"xlb_hc_reply_clashes_total", "counter",
     "Health-check probes that took over another probe's reply tuple."},
    {"xlb_flow_guard_skipped_total", "counter",
     "SYNs balanced but not recorded in the flow table (flow guard)."},
    {"xlb_fib_lookups_total", "counter",
     "Kernel FIB lookups made by the datapath: health-check probes by a tunnel, and tunnel "
     "packets whose next hop is unresolved."},
    {"xlb_new_flows_total", "counter", "Flows created, all services."},
    {"xlb_flow_rebalanced_total", "counter",
     "Flows moved to another backend because theirs went away or down."},
    {"xlb_icmp_to_flow_total", "counter", "ICMP errors steered to their flow's backend."},
    {"xlb_icmp_too_big_sent_total", "counter",
     "Tunnels: ICMP frag-needed / packet-too-big sent back to clients."},
    {"xlb_sync_ring_full_total", "counter",
     "Flow sync events lost: the ring buffer was full (xlb-syncd too slow or stopped)."},
    {"xlb_hc_chatter_total", "counter",
     "The host's own non-TCP/UDP frames on the health-check port (ND, MLD), passed."},
    {"xlb_echo_replies_total", "counter", "ICMP echo requests to a VIP answered by the datapath."},
};

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

// The port label: "80", "0" for every port, "80,443,8000-8099" for several.
std::string port_label(const ServiceView& s) {
  return s.ports.empty() ? std::to_string(s.port) : ports_str(s.ports);
}

// The vip label: the address, or a prefix VIP's prefix ("192.0.2.0/28"),
// as xlb_vip_announced names it.
std::string service_labels(const ServiceView& s) {
  const std::string vip = s.vip_len ? IpPrefix{s.vip, s.vip_len}.brief() : s.vip.str();
  return label("service", s.name) + "," + label("vip", vip) + "," + label("port", port_label(s)) +
         "," + label("proto", to_string(s.proto));
}

void header(std::string& out, const Family& f) {
  out +=
      std::string("# HELP ") + f.name + " " + f.help + "\n# TYPE " + f.name + " " + f.type + "\n";
}

using ServiceValue = std::function<uint64_t(const ServiceView&)>;
using BackendValue = std::function<uint64_t(const BackendView&)>;

void per_service(std::string& out, const StatsView& st, const Family& f, const ServiceValue& v) {
  header(out, f);
  for (const auto& s : st.services)
    out += std::string(f.name) + "{" + service_labels(s) + "} " + std::to_string(v(s)) + "\n";
}

void per_backend(std::string& out, const StatsView& st, const Family& f, const BackendValue& v) {
  header(out, f);
  for (const auto& s : st.services)
    for (const auto& b : s.backends)
      out += std::string(f.name) + "{" + service_labels(s) + "," +
             label("backend", b.address.str()) + "} " + std::to_string(v(b)) + "\n";
}

void global(std::string& out, const GlobalCounters& g) {
  for (const Family& f : kGlobalFamilies) {
    header(out, f);
    for (int i = 0; i < XLB_G_MAX; i++) {
      const GlobalMetric& m = kGlobalMetrics[i];
      if (std::string(m.name) != f.name) continue;
      std::string labels = *m.label ? "{" + label(m.label, m.value) + "}" : "";
      out += f.name + labels + " " + std::to_string(g[i]) + "\n";
    }
  }
}

// xlb-syncd's counters: how they are exported, by XLB_SYNC_C_* index.
constexpr GlobalMetric kSyncMetrics[XLB_SYNC_C_MAX] = {
    {"xlb_sync_flows_total", "event", "exported"},
    {"xlb_sync_flows_total", "event", "sent"},
    {"xlb_sync_datagrams_total", "direction", "sent"},
    {"xlb_sync_datagrams_total", "direction", "received"},
    {"xlb_sync_flows_total", "event", "received"},
    {"xlb_sync_flows_total", "event", "installed"},
    {"xlb_sync_flows_total", "event", "kept_local"},
    {"xlb_sync_flows_total", "event", "unknown_backend"},
    {"xlb_sync_rejected_total", "reason", "bad_tag"},
    {"xlb_sync_rejected_total", "reason", "replay"},
    {"xlb_sync_rejected_total", "reason", "malformed"},
    {"xlb_sync_bulk_requests_total", "", ""},
};

constexpr Family kSyncFamilies[] = {
    {"xlb_sync_flows_total", "counter",
     "Flow sync (xlb-syncd): flows exported by the datapath, sent, received, installed, and "
     "not installed (kept_local: the local entry is newer; unknown_backend)."},
    {"xlb_sync_datagrams_total", "counter", "Flow sync datagrams by direction."},
    {"xlb_sync_rejected_total", "counter", "Flow sync datagrams dropped, by reason."},
    {"xlb_sync_bulk_requests_total", "counter", "Bulk syncs served to starting peers."},
};

void sync_families(std::string& out, const SyncCounterValues& s) {
  for (const Family& f : kSyncFamilies) {
    header(out, f);
    for (int i = 0; i < XLB_SYNC_C_MAX; i++) {
      const GlobalMetric& m = kSyncMetrics[i];
      if (std::string(m.name) != f.name) continue;
      std::string labels = *m.label ? "{" + label(m.label, m.value) + "}" : "";
      out += f.name + labels + " " + std::to_string(s[i]) + "\n";
    }
  }
}

void vips(std::string& out, const Config& cfg) {
  header(out, {"xlb_vip_announced", "gauge",
               "1 while every service of the VIP has its needed healthy backends."});
  for (const auto& v : vip_states(cfg))
    out += "xlb_vip_announced{" + label("vip", v.vip.brief()) + "} " + (v.announced ? "1" : "0") +
           "\n";
}

void failures(std::string& out, const StatsView& st, const HealthMetrics& h) {
  per_backend(out, st,
              {"xlb_backend_check_failures_total", "counter", "Failed health-check probes."},
              [&](const BackendView& b) {
                auto it = h.check_failures.find({b.service, b.address});
                return it == h.check_failures.end() ? 0 : it->second;
              });
}

void services(std::string& out, const StatsView& st) {
  per_service(out, st,
              {"xlb_vip_packets_total", "counter", "Packets received for a virtual service."},
              [](const ServiceView& s) { return s.counters.packets; });
  per_service(out, st, {"xlb_vip_bytes_total", "counter", "Bytes received for a virtual service."},
              [](const ServiceView& s) { return s.counters.bytes; });
  per_service(out, st, {"xlb_vip_flows_total", "counter", "New flows of a virtual service."},
              [](const ServiceView& s) { return s.counters.new_flows; });
  per_service(out, st,
              {"xlb_vip_persist_seconds", "gauge",
               "Persistence timeout of a virtual service (persist D), 0: off."},
              [](const ServiceView& s) { return uint64_t{s.persist}; });
}

void backends(std::string& out, const StatsView& st) {
  per_backend(out, st, {"xlb_backend_packets_total", "counter", "Packets sent to a backend."},
              [](const BackendView& b) { return b.counters.packets; });
  per_backend(out, st, {"xlb_backend_bytes_total", "counter", "Bytes sent to a backend."},
              [](const BackendView& b) { return b.counters.bytes; });
  per_backend(out, st, {"xlb_backend_flows_total", "counter", "New flows sent to a backend."},
              [](const BackendView& b) { return b.counters.new_flows; });
  per_backend(out, st, {"xlb_backend_weight", "gauge", "Configured weight of a backend."},
              [](const BackendView& b) { return uint64_t{b.weight}; });
  per_backend(out, st,
              {"xlb_backend_effective_weight", "gauge",
               "Weight in the Maglev table: the configured one, or the dynamic (weights flows|"
               "response) effective one, 100 per unit of configured weight."},
              [](const BackendView& b) { return uint64_t{b.effective_weight}; });
  per_backend(out, st, {"xlb_backend_up", "gauge", "1 when the backend is healthy."},
              [](const BackendView& b) { return uint64_t{b.health == Health::up}; });
  per_backend(out, st,
              {"xlb_backend_resolved", "gauge",
               "0 while the backend's next hop (MAC) is unresolved: out of the tables."},
              [](const BackendView& b) { return uint64_t{b.next_hop != NextHop::unresolved}; });
  per_backend(out, st, {"xlb_backend_enabled", "gauge", "1 unless the backend is drained."},
              [](const BackendView& b) { return uint64_t{b.state == Admin::enabled}; });
}

// node_exporter's ipvs collector: its names, help texts and labels
// (local_mark, always empty here, is left out). Replies do not pass the
// load balancer (direct return, as IPVS-DR), so the outgoing counters are 0.
std::string ipvs_labels(const ServiceView& s, const BackendView& b) {
  std::string port = port_label(s);
  return label("local_address", s.vip.str()) + "," + label("local_port", port) + "," +
         label("remote_address", b.address.str()) + "," + label("remote_port", port) + "," +
         label("proto", s.proto == Proto::tcp ? "TCP" : "UDP");
}

void ipvs_totals(std::string& out, const StatsView& st) {
  Counters sum;
  for (const auto& s : st.services) {
    sum.new_flows += s.counters.new_flows;
    sum.packets += s.counters.packets;
    sum.bytes += s.counters.bytes;
  }
  const std::pair<Family, uint64_t> totals[] = {
      {{"node_ipvs_connections_total", "counter", "The total number of connections made."},
       sum.new_flows},
      {{"node_ipvs_incoming_packets_total", "counter", "The total number of incoming packets."},
       sum.packets},
      {{"node_ipvs_incoming_bytes_total", "counter", "The total number of incoming bytes."},
       sum.bytes},
      {{"node_ipvs_outgoing_packets_total", "counter", "The total number of outgoing packets."}, 0},
      {{"node_ipvs_outgoing_bytes_total", "counter", "The total number of outgoing bytes."}, 0}};
  for (const auto& [f, v] : totals) {
    header(out, f);
    out += std::string(f.name) + " " + std::to_string(v) + "\n";
  }
}

void ipvs_backends(std::string& out, const StatsView& st, const Family& f, const BackendValue& v) {
  header(out, f);
  for (const auto& s : st.services)
    for (const auto& b : s.backends)
      out += std::string(f.name) + "{" + ipvs_labels(s, b) + "} " + std::to_string(v(b)) + "\n";
}

void ipvs_families(std::string& out, const StatsView& st, const BackendConnections& conns) {
  ipvs_totals(out, st);
  auto of = [&](uint32_t id) {
    auto it = conns.find(id);
    return it == conns.end() ? Connections{} : it->second;
  };
  ipvs_backends(out, st,
                {"node_ipvs_backend_connections_active", "gauge",
                 "The current active connections by local and remote address."},
                [&](const BackendView& b) { return of(b.id).active; });
  ipvs_backends(out, st,
                {"node_ipvs_backend_connections_inactive", "gauge",
                 "The current inactive connections by local and remote address."},
                [&](const BackendView& b) { return of(b.id).inactive; });
  ipvs_backends(out, st, {"node_ipvs_backend_weight", "gauge", "The current backend weight."},
                [](const BackendView& b) { return uint64_t{b.weight}; });
}

}  // namespace

const GlobalMetric& global_metric(int counter) { return kGlobalMetrics.at(counter); }

BackendConnections backend_connections(const std::vector<Flow>& flows) {
  BackendConnections out;
  for (const auto& f : flows) {
    bool active = f.proto == Proto::tcp && f.state == FlowState::established;
    (active ? out[f.backend_id].active : out[f.backend_id].inactive)++;
  }
  return out;
}

std::string prometheus_text(const Config& cfg, const StatsView& st, const HealthMetrics* health,
                            const BackendConnections* ipvs) {
  std::string out;
  services(out, st);
  backends(out, st);
  if (health) failures(out, st, *health);
  vips(out, cfg);
  global(out, st.global);
  sync_families(out, st.sync);
  header(out, {"xlb_build_info", "gauge", "Build information."});
  out += "xlb_build_info{" + label("version", XLB_VERSION) + "} 1\n";
  if (ipvs) ipvs_families(out, st, *ipvs);
  return out;
}

}  // namespace xlb
