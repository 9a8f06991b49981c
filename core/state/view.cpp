#include "state/view.hpp"

#include "state/layout.hpp"

#include <algorithm>
#include <map>

#include "model/check.hpp"
#include "model/nat.hpp"
#include "net/netlink.hpp"
#include "state/store.hpp"

namespace xlb {

namespace {

Counters counters_of(const std::map<uint32_t, Counters>& m, uint32_t id) {
  auto it = m.find(id);
  return it == m.end() ? Counters{} : it->second;
}

NextHop next_hop_of(const Service& s, const Backend& b) {
  if (is_tunnel(s.forward)) return NextHop::routed;
  if (b.mac_explicit) return NextHop::static_mac;
  return b.unresolved ? NextHop::unresolved : NextHop::resolved;
}

// The egress interface by name, or by index under -n (and when it has no
// name here); "-" when the backend has no route (its probes are dropped).
std::string egress_name(int ifindex, bool numeric) {
  if (!ifindex) return "-";
  if (!numeric) {
    auto l = link_by_index(ifindex);
    if (l) return l->name;
  }
  return std::to_string(ifindex);
}

// Counters only grow; a reset between the readings gives 0, not a wrap.
uint64_t per_sec(uint64_t now, uint64_t before, uint32_t ms) {
  return (now - std::min(now, before)) * 1000 / ms;
}

Rates rates_of(const Counters& now, const Counters& before, uint32_t ms) {
  return {per_sec(now.new_flows, before.new_flows, ms), per_sec(now.packets, before.packets, ms),
          per_sec(now.bytes, before.bytes, ms)};
}

template <class V>
const V* find_id(const std::vector<V>& list, uint32_t id) {
  for (const auto& v : list)
    if (v.id == id) return &v;
  return nullptr;
}

}  // namespace

std::string to_string(NextHop n) {
  switch (n) {
    case NextHop::static_mac:
      return "static";
    case NextHop::resolved:
      return "resolved";
    case NextHop::unresolved:
      return "unresolved";
    case NextHop::routed:
      return "routed";
  }
  return "?";
}

BackendView backend_view(const Service& s, const Service::NewFlowRule& rule, const Backend& b,
                         const StatsSnapshot* st) {
  BackendView v{s.name,
                b.addr,
                b.weight,
                b.admin,
                b.health,
                b.mac,
                next_hop_of(s, b),
                b.priority,
                rule.admits(b),
                b.id,
                st ? counters_of(st->backends, b.id) : Counters{},
                std::nullopt};
  v.effective_weight = s.table_weight(b);
  v.dynamic_weight = s.weights != WeightMode::fixed;
  return v;
}

ServiceView service_view(const Service& s, const StatsSnapshot* st) {
  ServiceView v{s.name,
                s.proto,
                s.vip,
                s.port,
                s.sched,
                s.ring,
                s.forward,
                s.tunnel_port(),
                s.need,
                s.panic,
                s.in_panic(),
                s.panics,
                s.checks.size(),
                s.id,
                st ? counters_of(st->services, s.id) : Counters{},
                std::nullopt,
                {}};
  v.weights = s.weights;
  v.persist = s.persist;
  v.ports = s.ports;
  v.vip_len = s.vip_len;
  const Service::NewFlowRule rule = s.new_flow_rule();
  v.backends.reserve(s.backends.size());
  for (const auto& b : s.backends) v.backends.push_back(backend_view(s, rule, b, st));
  return v;
}

Result<std::vector<const Service*>> select_services(const Config& cfg,
                                                    const std::optional<ServiceRef>& ref) {
  std::vector<const Service*> out;
  if (ref) {
    auto s = find_service(cfg, *ref);
    if (!s) return s.error();
    out.push_back(*s);
    return out;
  }
  for (const auto& s : cfg.services) out.push_back(&s);
  return out;
}

Result<LiveView> read_live_view(const State& st) {
  auto cfg = st.read();
  if (!cfg) return cfg.error();
  auto stats = read_stats(st.maps(), *cfg);
  if (!stats) return stats.error();
  return LiveView{std::move(*cfg), std::move(*stats)};
}

ServiceListView service_list_view(const LiveView& live, const std::vector<const Service*>& sel) {
  ServiceListView v;
  v.services.reserve(sel.size());
  for (const Service* s : sel) v.services.push_back(service_view(*s, &live.stats));
  return v;
}

BackendListView backend_list_view(const LiveView& live, const std::vector<const Service*>& sel) {
  BackendListView v;
  for (const Service* s : sel) {
    const Service::NewFlowRule rule = s->new_flow_rule();
    for (const auto& b : s->backends) v.backends.push_back(backend_view(*s, rule, b, &live.stats));
  }
  return v;
}

StatsView stats_view(const StatsSnapshot& st, const std::vector<const Service*>& sel) {
  StatsView v;
  v.services.reserve(sel.size());
  for (const Service* s : sel) v.services.push_back(service_view(*s, &st));
  v.global = st.global;
  v.sync = st.sync;
  return v;
}

CheckListView check_list_view(const std::vector<const Service*>& sel) {
  CheckListView v;
  for (const Service* s : sel)
    for (size_t i = 0; i < s->checks.size(); i++)
      v.checks.push_back({s->name, i + 1, check_port(*s, s->checks[i]), s->checks[i]});
  return v;
}

FlowListView flow_list_view(const Config& cfg, const std::vector<Flow>& flows) {
  std::map<uint32_t, std::string> services, backends;
  for (const auto& s : cfg.services) {
    services[s.id] = s.name;
    for (const auto& b : s.backends) backends[b.id] = b.addr.str();
  }
  FlowListView v;
  for (const auto& f : flows) {
    auto sv = services.find(f.service_id);
    auto be = backends.find(f.backend_id);
    v.flows.push_back(
        {f, sv == services.end() ? "" : sv->second, be == backends.end() ? "(gone)" : be->second});
  }
  return v;
}

Result<NatListView> nat_list_view(const State& st, bool numeric) {
  auto ctl = ctl_read(st.maps());
  if (!ctl) return ctl.error();
  auto cfg = st.read();
  if (!cfg) return cfg.error();
  auto rows = read_nat_table(st.maps(), *cfg, ctl->active_bank);
  if (!rows) return rows.error();
  NatListView v{nat_range(cfg->settings, XLB_AF_INET),
                nat_range(cfg->settings, XLB_AF_INET6),
                XLB_HC_HOST_DEV,
                {}};
  for (const auto& r : *rows) v.rows.push_back({r, egress_name(r.ifindex, numeric)});
  return v;
}

Result<InterfaceListView> interface_list_view(const State& st, const std::string& pin_path) {
  auto list = list_attachments(pin_path);
  if (!list) return list.error();
  auto layout = pinned_layout(pin_path);
  if (!layout) return layout.error();
  return InterfaceListView{std::move(*list), st.maps().caps(), st.maps().memory_bytes(), *layout};
}

StatsView with_rates(StatsView now, const StatsView& before, uint32_t ms) {
  for (auto& s : now.services) {
    const ServiceView* sb = find_id(before.services, s.id);
    s.rates = rates_of(s.counters, sb ? sb->counters : s.counters, ms);
    for (auto& b : s.backends) {
      const BackendView* bb = sb ? find_id(sb->backends, b.id) : nullptr;
      b.rates = rates_of(b.counters, bb ? bb->counters : b.counters, ms);
    }
  }
  for (size_t i = 0; i < now.global.size(); i++)
    now.global[i] = per_sec(now.global[i], before.global[i], ms);
  return now;
}

}  // namespace xlb
