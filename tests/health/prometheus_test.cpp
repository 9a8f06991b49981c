// The Prometheus writer from the typed stats view, without BPF: every global
// counter of xlb_abi.h's enum is exported (each with a value of its own, so a
// counter left out or written under another's line is seen), and the
// node_ipvs_* families come only when asked.
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "state/prometheus.hpp"

namespace xlb {

namespace {

Config one_service() {
  Config c;
  Service s;
  s.name = "web";
  s.vip = *IpAddr::parse("192.0.2.10");
  s.port = 80;
  s.id = 0;
  Backend b;
  b.addr = *IpAddr::parse("10.0.0.1");
  b.weight = 3;
  b.id = 5;
  s.backends.push_back(b);
  c.services.push_back(s);
  return c;
}

StatsView distinct_globals(const Config& c) {
  std::vector<const Service*> sel;
  for (const auto& s : c.services) sel.push_back(&s);
  StatsSnapshot snap;
  for (int i = 0; i < XLB_G_MAX; i++) snap.global[i] = 1000 + i;
  return stats_view(snap, sel);
}

// Sample lines (not comments), by their value.
std::multiset<std::string> samples_with_value(const std::string& text, uint64_t v) {
  std::multiset<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line[0] != '#' && line.substr(line.rfind(' ') + 1) == std::to_string(v)) out.insert(line);
  return out;
}

std::string expected_line(int counter, uint64_t v) {
  const GlobalMetric& m = global_metric(counter);
  std::string labels = *m.label ? std::string("{") + m.label + "=\"" + m.value + "\"}" : "";
  return m.name + labels + " " + std::to_string(v);
}

}  // namespace

TEST(Prometheus, EveryGlobalCounterIsExportedOnItsOwnLine) {
  Config c = one_service();
  std::string text = prometheus_text(c, distinct_globals(c));
  std::set<std::string> lines;
  for (int i = 0; i < XLB_G_MAX; i++) {
    auto got = samples_with_value(text, 1000 + i);
    ASSERT_EQ(got.size(), 1u) << "counter " << global_counter_name(i) << " in:\n" << text;
    EXPECT_EQ(*got.begin(), expected_line(i, 1000 + i));
    lines.insert(*got.begin());
    std::string family = global_metric(i).name;
    EXPECT_NE(text.find("# TYPE " + family + " counter\n"), std::string::npos) << family;
    EXPECT_NE(text.find("# HELP " + family + " "), std::string::npos) << family;
  }
  EXPECT_EQ(lines.size(), size_t{XLB_G_MAX}) << "two counters on one series";
}

TEST(Prometheus, TheCountersOperatorsAskedFor) {
  Config c = one_service();
  std::string text = prometheus_text(c, distinct_globals(c));
  for (const char* line :
       {"xlb_new_flows_total ", "xlb_flow_rebalanced_total ", "xlb_icmp_to_flow_total ",
        "xlb_icmp_too_big_sent_total ", "xlb_flow_guard_skipped_total ", "xlb_fib_lookups_total ",
        "xlb_drops_total{reason=\"no_service\"} ", "xlb_drops_total{reason=\"fwd_disabled\"} "})
    EXPECT_NE(text.find(std::string("\n") + line), std::string::npos) << line;
}

// A prefix VIP's services are labelled with the prefix, as its announcement.
TEST(Prometheus, APrefixVipIsLabelledWithItsPrefix) {
  Config c = one_service();
  c.services[0].vip = *IpAddr::parse("192.0.2.0");
  c.services[0].vip_len = 28;
  std::string text = prometheus_text(c, distinct_globals(c));
  EXPECT_NE(text.find("{service=\"web\",vip=\"192.0.2.0/28\","), std::string::npos) << text;
  EXPECT_NE(text.find("xlb_vip_announced{vip=\"192.0.2.0/28\"}"), std::string::npos);
}

TEST(Prometheus, IpvsFamiliesOnlyWhenAsked) {
  Config c = one_service();
  StatsView v = distinct_globals(c);
  v.services[0].counters = {11, 1200, 4};
  EXPECT_EQ(prometheus_text(c, v).find("node_ipvs"), std::string::npos);
  std::vector<Flow> flows(3);
  for (auto& f : flows) f.backend_id = 5;
  flows[0].state = FlowState::syn;
  flows[1].proto = Proto::udp;
  BackendConnections conns = backend_connections(flows);
  std::string text = prometheus_text(c, v, nullptr, &conns);
  const std::string labels =
      "{local_address=\"192.0.2.10\",local_port=\"80\",remote_address=\"10.0.0.1\","
      "remote_port=\"80\",proto=\"TCP\"}";
  for (const std::string& line : std::vector<std::string>{
           "node_ipvs_connections_total 4", "node_ipvs_incoming_packets_total 11",
           "node_ipvs_incoming_bytes_total 1200", "node_ipvs_outgoing_bytes_total 0",
           "node_ipvs_backend_connections_active" + labels + " 1",
           "node_ipvs_backend_connections_inactive" + labels + " 2",
           "node_ipvs_backend_weight" + labels + " 3"})
    EXPECT_NE(text.find("\n" + line + "\n"), std::string::npos) << line << " in:\n" << text;
}

}  // namespace xlb
