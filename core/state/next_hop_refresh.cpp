// The refresh round of next hops (state/next_hops.hpp): what `xlb backend
// refresh` runs once and xlb-healthd runs on rtnetlink events.
#include <set>

#include "net/netlink.hpp"
#include "state/hop_table.hpp"
#include "state/next_hops.hpp"
#include "state/state.hpp"

namespace xlb {

namespace {

// A backend whose MAC the round maintains, as the live model has it.
struct Target {
  BackendRef ref;
  MacAddr mac;  // zero: unresolved
};

std::vector<Target> targets(const Config& cfg, const std::optional<std::string>& only) {
  std::vector<Target> out;
  for (const auto& s : cfg.services) {
    if (is_tunnel(s.forward) || (only && s.name != *only)) continue;
    for (const auto& b : s.backends)
      if (!b.mac_explicit) out.push_back({{s.name, b.addr}, b.unresolved ? MacAddr{} : b.mac});
  }
  return out;
}

bool has_mac(const std::map<IpAddr, Neighbour>& table, const IpAddr& a) {
  auto it = table.find(a);
  return it != table.end() && !it->second.mac.is_zero();
}

// Triggers ARP/ND for unresolved backends and, with probe_stale, for those
// whose entry is stale or gone. Returns the unresolved ones still lacking
// a MAC (worth waiting for).
std::vector<IpAddr> probe(const std::vector<Target>& ts, const std::map<IpAddr, Neighbour>& table,
                          const RefreshOptions& o) {
  std::set<IpAddr> waiting, primed;
  for (const auto& t : ts) {
    auto it = table.find(t.ref.backend);
    bool stale = it == table.end() || it->second.state != NeighState::usable;
    bool unresolved = t.mac.is_zero() && !has_mac(table, t.ref.backend);
    if (unresolved) waiting.insert(t.ref.backend);
    bool wanted = (unresolved && o.probe_unresolved) || (stale && o.probe_stale);
    if (wanted && primed.insert(t.ref.backend).second) prime_next_hop(t.ref.backend);
  }
  return {waiting.begin(), waiting.end()};
}

// The same for tunnel next hops (gateways or on-link backends): ARP/ND for
// those without a MAC, and for stale ones. Returns those without a MAC.
std::vector<IpAddr> probe_hops(const std::vector<IpAddr>& hops,
                               const std::map<IpAddr, Neighbour>& table, const RefreshOptions& o) {
  std::vector<IpAddr> waiting;
  for (const auto& a : hops) {
    auto it = table.find(a);
    bool usable = it != table.end() && it->second.state == NeighState::usable;
    bool missing = !has_mac(table, a);
    if (missing) waiting.push_back(a);
    if ((missing && o.probe_unresolved) || (!usable && o.probe_stale)) prime_next_hop(a);
  }
  return waiting;
}

bool in_scope(const Service& s, const std::optional<std::string>& only) {
  return !only || s.name == *only;
}

size_t tunnel_backends(const Config& cfg, const std::optional<std::string>& only) {
  size_t n = 0;
  for (const auto& s : cfg.services)
    if (is_tunnel(s.forward) && in_scope(s, only)) n += s.backends.size();
  return n;
}

// Tunnel next hops are no part of the model: the next-hop table is
// rewritten from the neighbour table directly (only entries that differ),
// under the writer lock so no transaction renumbers backends meanwhile.
Status write_tunnel_hops(State& st, const std::optional<std::string>& only, RefreshResult& r) {
  return st.with_live([&](const Config& live) -> Status {
    HopContext ctx = hop_context(st.maps().pin_path());
    auto written = write_hops(st.maps(), live, ctx);
    if (!written) return written.error();
    for (const auto& c : written->changed) {
      const Service* s = live.find_service(c.service);
      if (s && is_tunnel(s->forward) && in_scope(*s, only))
        r.changes.push_back({{c.service, c.addr}, c.before, c.after});
    }
    return {};
  });
}

// What the table says a backend's MAC should be; `current` where it says
// nothing new (no entry, or one being resolved).
MacAddr wanted_mac(const Target& t, const std::map<IpAddr, Neighbour>& table) {
  auto it = table.find(t.ref.backend);
  if (it == table.end()) return t.mac;
  if (!it->second.mac.is_zero()) return it->second.mac;
  return it->second.state == NeighState::failed ? MacAddr{} : t.mac;
}

// Applies the changes to `next`, each only where the backend still is what
// the round read (a concurrent edit wins).
void apply_changes(Config& next, const std::vector<NextHopChange>& changes) {
  for (const auto& c : changes) {
    Service* s = next.find_service(c.ref.service);
    Backend* b = s ? s->find_backend(c.ref.backend) : nullptr;
    if (!b || b->mac_explicit || is_tunnel(s->forward)) continue;
    if ((b->unresolved ? MacAddr{} : b->mac) != c.before) continue;
    b->mac = c.after;
    b->unresolved = c.after.is_zero();
  }
}

}  // namespace

Result<RefreshResult> refresh_next_hops(State& st, const RefreshOptions& opts) {
  auto cfg = st.read();
  if (!cfg) return cfg.error();
  if (opts.service && !cfg->find_service(*opts.service))
    return usage_error("no such service: " + *opts.service);
  auto ts = targets(*cfg, opts.service);
  auto hops = tunnel_neighbours(
      *cfg, [&](const Service& s, const Backend&) { return in_scope(s, opts.service); });
  RefreshResult r;
  r.checked = ts.size() + tunnel_backends(*cfg, opts.service);
  if (r.checked == 0) return r;
  auto table = read_neighbours();
  if (!table) return table.error();
  auto waiting = probe(ts, *table, opts), hops_waiting = probe_hops(hops, *table, opts);
  waiting.insert(waiting.end(), hops_waiting.begin(), hops_waiting.end());
  if (!waiting.empty() && opts.wait.count() > 0) {
    resolve_neighbours(waiting, opts.wait);  // one wait for both kinds
    table = read_neighbours();
    if (!table) return table.error();
  }
  for (const auto& t : ts) {
    MacAddr want = wanted_mac(t, *table);
    if (want != t.mac) r.changes.push_back({t.ref, t.mac, want});
    if (want.is_zero()) r.unresolved.push_back(t.ref);
  }
  if (!r.changes.empty())
    XLB_TRY(st.update([&](Config& next) -> Status {
      apply_changes(next, r.changes);
      return {};
    }));
  if (tunnel_backends(*cfg, opts.service) == 0) return r;
  XLB_TRY(write_tunnel_hops(st, opts.service, r));
  return r;
}

}  // namespace xlb
