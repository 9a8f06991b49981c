// The -j encoding of the big views (`stats`, `service list`, `backend
// list`), written as text in one pass (json_text.hpp): the stable schema of
// xlb(8), JSON OUTPUT. Keys in dump()'s (sorted) order; the rates' keys
// (bps, cps, pps) where they fall among the counters'.
#include <algorithm>
#include <array>

#include "state/json_text.hpp"
#include "state/view.hpp"

namespace xlb {

namespace {

// Indices of names in sorted order.
template <size_t N>
std::array<int, N> sorted_order(const char* (*name)(int)) {
  std::array<int, N> order{};
  for (size_t i = 0; i < N; i++) order[i] = static_cast<int>(i);
  std::sort(order.begin(), order.end(),
            [&](int a, int b) { return std::string_view(name(a)) < name(b); });
  return order;
}

template <size_t N>
void counter_object(JsonText& w, const std::array<uint64_t, N>& values, const char* (*name)(int)) {
  static const std::array<int, N> order = sorted_order<N>(name);
  w.begin_object();
  for (int i : order) w.field(name(i), values[i]);
  w.end_object();
}

void ports_json(JsonText& w, const ServiceView& v) {
  w.begin_array();
  if (v.ports.empty() && v.port) w.value(v.port);
  for (const PortRange& r : v.ports) {
    if (r.lo == r.hi) {
      w.value(r.lo);
      continue;
    }
    w.begin_array().value(r.lo).value(r.hi).end_array();
  }
  w.end_array();
}

// The keys from "packets" to "proto": counters, rate, ports.
void service_tail(JsonText& w, const ServiceView& v) {
  w.field("packets", v.counters.packets).field("panic", v.panic).field("panics", v.panics);
  w.field("persist_s", v.persist).field("port", v.port).key("ports");
  ports_json(w, v);
  if (v.rates) w.field("pps", v.rates->pps);
  w.field("proto", to_string(v.proto)).field("ring", v.ring).field("sched", to_string(v.sched));
  // vip_len 0: the VIP alone; else every address of vip/vip_len
  w.field("vip", v.vip.str()).field("vip_len", uint64_t{v.vip_len});
  w.field("weights", to_string(v.weights));
}

}  // namespace

void write_json(JsonText& w, const BackendView& v) {
  w.begin_object().field("address", v.address.str());
  if (v.rates) w.field("bps", v.rates->bps);
  w.field("bytes", v.counters.bytes);
  if (v.rates) w.field("cps", v.rates->cps);
  w.field("effective_weight", v.effective_weight).field("flows", v.counters.new_flows);
  w.field("health", to_string(v.health)).field("id", v.id).field("mac", v.mac.str());
  w.field("new_flows", v.new_flows).field("next_hop", to_string(v.next_hop));
  w.field("packets", v.counters.packets);
  if (v.rates) w.field("pps", v.rates->pps);
  w.field("priority", v.priority).field("service", v.service);
  w.field("state", to_string(v.state)).field("weight", v.weight).end_object();
}

void write_json(JsonText& w, const ServiceView& v) {
  w.begin_object().key("backends").begin_array();
  for (const auto& b : v.backends) write_json(w, b);
  w.end_array();
  if (v.rates) w.field("bps", v.rates->bps);
  w.field("bytes", v.counters.bytes).field("checks", uint64_t{v.checks});
  if (v.rates) w.field("cps", v.rates->cps);
  w.field("flows", v.counters.new_flows).field("forward", to_string(v.forward));
  w.field("forward_port", v.forward_port).field("id", v.id).field("in_panic", v.in_panic);
  w.field("name", v.name).field("need", v.need);
  service_tail(w, v);
  w.end_object();
}

void write_json(JsonText& w, const ServiceListView& v) {
  w.begin_object().key("services").begin_array();
  for (const auto& s : v.services) write_json(w, s);
  w.end_array().end_object();
}

void write_json(JsonText& w, const BackendListView& v) {
  w.begin_object().key("backends").begin_array();
  for (const auto& b : v.backends) write_json(w, b);
  w.end_array().end_object();
}

void write_json(JsonText& w, const StatsView& v) {
  w.begin_object().key("global");
  counter_object(w, v.global, global_counter_name);
  w.key("services").begin_array();
  for (const auto& s : v.services) write_json(w, s);
  w.end_array().key("sync");
  counter_object(w, v.sync, sync_counter_name);
  w.end_object();
}

}  // namespace xlb
