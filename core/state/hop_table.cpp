#include "state/hop_table.hpp"

#include <bpf/bpf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

#include "net/netlink.hpp"
#include "net/route.hpp"
#include "state/attach.hpp"

namespace xlb {

namespace {

HopResult unresolved(std::string why) {
  HopResult r;
  r.entry.flags = XLB_NH_UNRESOLVED;
  r.problem = std::move(why);
  return r;
}

// The MAC of a neighbour from the table the context read; notes entries
// that are stale (worth confirming) or missing.
std::optional<MacAddr> neighbour(const IpAddr& a, HopContext& ctx, bool* pending) {
  auto it = ctx.neighbours.find(a);
  if (it != ctx.neighbours.end() && !it->second.mac.is_zero()) {
    if (it->second.state != NeighState::usable) ctx.stale.insert(a);
    return it->second.mac;
  }
  *pending = it == ctx.neighbours.end() || it->second.state != NeighState::failed;
  ctx.missing.insert(a);
  return std::nullopt;
}

// The egress half of an entry: interface, its MAC and MTU.
Status set_egress(xlb_nh& e, int ifindex, HopContext& ctx) {
  const Result<LinkInfo>& link = egress_link(ctx, ifindex);
  if (!link) return link.error();
  e.ifindex = ifindex;
  std::memcpy(e.smac, link->mac.bytes.data(), 6);
  e.mtu = link->mtu;
  return {};
}

void set_vlan(xlb_nh& e, const Backend& b) {
  if (!b.vlan) return;
  e.flags |= XLB_NH_VLAN;
  e.vlan = b.vlan;
}

// The interface named with `dev`, or 0; an error when it does not exist.
Result<int> forced_dev(const Backend& b) {
  if (b.dev.empty()) return 0;
  auto link = link_by_name(b.dev);
  if (!link) return link.error();
  return link->ifindex;
}

// dsr: the backend must be on a segment xlb sends to at L2. The egress is
// `dev`, else the attached interface its route is on-link through, else the
// interface the client came in on (written as 0), as before next hops.
HopResult resolve_dsr(const Backend& b, HopContext& ctx) {
  if (b.mac.is_zero()) return unresolved("no MAC address for " + b.addr.str());
  auto dev = forced_dev(b);
  if (!dev) return unresolved(dev.error().message);
  HopResult r;
  r.entry.flags = XLB_NH_RESOLVED;
  std::memcpy(r.entry.dmac, b.mac.bytes.data(), 6);
  int ifindex = *dev;
  if (!ifindex) {
    auto route = ctx.routes.get(b.addr);
    if (route && !route->gateway && ctx.attached.count(route->ifindex)) ifindex = route->ifindex;
  }
  if (ifindex) {
    auto st = set_egress(r.entry, ifindex, ctx);
    if (!st) return unresolved(st.error().message);
    r.entry.mtu = 0;  // dsr forwards the client's frame as it is
  }
  return r;
}

// One tunnel next hop: the route to `dst` (out of `oif` when not 0), its
// gateway or dst itself, and that neighbour's MAC.
HopResult tunnel_hop(const IpAddr& dst, int oif, HopContext& ctx) {
  auto route = ctx.routes.get(dst, oif);
  if (!route) return unresolved(route.error().message);
  IpAddr hop = route->gateway.value_or(dst);
  bool pending = false;
  auto mac = neighbour(hop, ctx, &pending);
  HopResult r = mac ? HopResult{} : unresolved("no neighbour entry for next hop " + hop.str());
  r.pending = pending;
  auto st = set_egress(r.entry, route->ifindex, ctx);
  if (!st) return unresolved(st.error().message);
  if (!mac) return r;
  r.entry.flags = XLB_NH_RESOLVED;
  std::memcpy(r.entry.dmac, mac->bytes.data(), 6);
  return r;
}

// The neighbour a route to `dst` (out of `oif` when not 0) sends to.
std::optional<IpAddr> hop_of(const IpAddr& dst, int oif, RouteLookup& routes) {
  auto route = routes.get(dst, oif);
  if (!route) return std::nullopt;
  return route->gateway.value_or(dst);
}

// Tunnels: the backend's next hop, else the tunnel gateway's (as the FIB
// path did when the backend had no route or no neighbour).
HopResult resolve_tunnel(const Backend& b, const Settings& st, HopContext& ctx) {
  auto dev = forced_dev(b);
  if (!dev) return unresolved(dev.error().message);
  HopResult r = tunnel_hop(b.addr, *dev, ctx);
  const auto& gw = b.addr.is_v6() ? st.gateway6 : st.gateway4;
  if (r.problem.empty() || !gw) return r;
  HopResult via = tunnel_hop(*gw, *dev, ctx);
  if (!via.problem.empty()) {
    via.problem = r.problem + "; gateway: " + via.problem;
    via.pending = via.pending || r.pending;
  }
  return via;
}

Status sys_error(const std::string& what) {
  return runtime_error(what + ": " + std::strerror(errno));
}

MacAddr mac_of(const xlb_nh& e) {
  MacAddr m{};
  if (e.flags & XLB_NH_RESOLVED) std::memcpy(m.bytes.data(), e.dmac, 6);
  return m;
}

// What to write for a backend whose map entry is `have`: a tunnel next hop
// whose neighbour entry is only pending keeps a resolved entry out of the
// same interface (after `ip neigh flush` its gateway is most likely where
// it was; a FAILED entry or a new MAC replaces it).
const xlb_nh& wanted_entry(const Service& s, const HopResult& r, const xlb_nh& have) {
  bool keep = is_tunnel(s.forward) && r.pending && (have.flags & XLB_NH_RESOLVED) &&
              have.ifindex == r.entry.ifindex && have.vlan == r.entry.vlan;
  return keep ? have : r.entry;
}

// Writes the entry when it differs from what the map holds; true when written.
Result<bool> write_entry(const Maps& m, uint32_t id, const xlb_nh& have, const xlb_nh& e) {
  if (std::memcmp(&have, &e, sizeof(e)) == 0) return false;
  if (e.ifindex) XLB_TRY(add_tx_port(m, static_cast<int>(e.ifindex)));
  if (bpf_map_update_elem(m.nexthops(), &id, &e, BPF_ANY) != 0)
    return sys_error("write next hop").error();
  return true;
}

// The entries of xlb_nexthops (an array by stable backend id) from id 0 to
// the configuration's highest, in one batch: one system call where a lookup
// per backend made 10,000 for `xlb -f` of 1,000 services x 10 backends, and
// no copy of the ids above (the whole array of 16384 entries is 640 KiB of
// fresh pages, about 2 ms on this VM). Empty when the batch is refused: the
// caller then looks entries up one by one.
std::vector<xlb_nh> read_hops(const Maps& m, const Config& c) {
  uint32_t n = 0;
  for (const auto& s : c.services)
    for (const auto& b : s.backends) n = std::max(n, b.id + 1);
  n = std::min(n, m.caps().backends);
  if (n == 0) return {};
  std::vector<uint32_t> keys(n);
  std::vector<xlb_nh> values(n);
  uint32_t out_batch = 0, count = n;
  int rc = bpf_map_lookup_batch(m.nexthops(), nullptr, &out_batch, keys.data(), values.data(),
                                &count, nullptr);
  if ((rc != 0 && errno != ENOENT) || count != n) return {};
  for (uint32_t i = 0; i < n; i++)
    if (keys[i] != i) return {};
  return values;
}

xlb_nh current_hop(const Maps& m, const std::vector<xlb_nh>& all, uint32_t id) {
  if (id < all.size()) return all[id];
  xlb_nh have{};
  if (bpf_map_lookup_elem(m.nexthops(), &id, &have) != 0) have = xlb_nh{};
  return have;
}

}  // namespace

// Asked once per interface and write: 1,000 backends behind one interface
// made 1,000 netlink sockets.
const Result<LinkInfo>& egress_link(HopContext& ctx, int ifindex) {
  auto found = ctx.links.find(ifindex);
  if (found == ctx.links.end()) found = ctx.links.emplace(ifindex, link_by_index(ifindex)).first;
  return found->second;
}

HopContext hop_context(const std::string& pin_path) {
  HopContext ctx;
  auto att = list_attachments(pin_path);
  if (att)
    for (const auto& a : *att) ctx.attached.insert(a.ifindex);
  // Unreadable: every next hop reads as pending, and resolved ones are kept.
  auto table = read_neighbours();
  if (table) ctx.neighbours = std::move(*table);
  return ctx;
}

// The routes asked for (backend, its `dev` or 0) in one prefetch: a refresh
// round of 1,000 tunnel backends made 1,000 netlink sockets.
std::vector<IpAddr> tunnel_neighbours(
    const Config& c, const std::function<bool(const Service&, const Backend&)>& only) {
  std::vector<RouteLookup::Key> keys;
  bool any = false;
  for (const auto& s : c.services)
    for (const auto& b : s.backends) {
      if (!is_tunnel(s.forward) || (only && !only(s, b))) continue;
      any = true;
      if (auto dev = forced_dev(b)) keys.emplace_back(b.addr, *dev);
    }
  for (const auto& gw : {c.settings.gateway4, c.settings.gateway6})
    if (any && gw) keys.emplace_back(*gw, 0);
  RouteLookup routes;
  routes.prefetch(keys);
  std::set<IpAddr> out;
  for (const auto& [dst, oif] : keys)
    if (auto hop = hop_of(dst, oif, routes)) out.insert(*hop);
  return {out.begin(), out.end()};
}

HopResult resolve_hop(const Service& s, const Backend& b, const Settings& st, HopContext& ctx) {
  HopResult r = is_tunnel(s.forward) ? resolve_tunnel(b, st, ctx) : resolve_dsr(b, ctx);
  set_vlan(r.entry, b);
  return r;
}

// The route each backend's next hop (and its NAT entry, state/nat_table)
// asks for: out of any interface. A backend with `dev` asks for the route
// out of that interface too, one by one: rare.
std::vector<RouteLookup::Key> backend_routes(const Config& c) {
  std::vector<RouteLookup::Key> keys;
  for (const auto& s : c.services)
    for (const auto& b : s.backends) keys.emplace_back(b.addr, 0);
  return keys;
}

Result<HopsWritten> write_hops(const Maps& m, const Config& c, HopContext& ctx) {
  HopsWritten out;
  ctx.routes.prefetch(backend_routes(c));
  const std::vector<xlb_nh> all = read_hops(m, c);
  for (const auto& s : c.services)
    for (const auto& b : s.backends) {
      HopResult r = resolve_hop(s, b, c.settings, ctx);
      const xlb_nh have = current_hop(m, all, b.id);
      const xlb_nh& e = wanted_entry(s, r, have);
      if (!(e.flags & XLB_NH_RESOLVED)) out.unresolved.push_back({s.name, b.addr, r.problem});
      auto written = write_entry(m, b.id, have, e);
      if (!written) return written.error();
      if (*written && mac_of(have) != mac_of(e))
        out.changed.push_back({s.name, b.addr, mac_of(have), mac_of(e)});
    }
  return out;
}

Status add_tx_port(const Maps& m, int ifindex) {
  uint32_t key = ifindex, value = ifindex;
  if (bpf_map_update_elem(m.tx_ports(), &key, &value, BPF_ANY) != 0)
    return sys_error("add interface " + std::to_string(ifindex) + " to xlb_tx_ports");
  return {};
}

Status prune_tx_ports(const Maps& m, const Config& c, const std::set<int>& attached) {
  std::set<uint32_t> keep(attached.begin(), attached.end()), present;
  for (const auto& s : c.services)
    for (const auto& b : s.backends) {
      xlb_nh e{};
      if (bpf_map_lookup_elem(m.nexthops(), &b.id, &e) == 0 && e.ifindex) keep.insert(e.ifindex);
    }
  uint32_t key = 0, next = 0;
  for (uint32_t* prev = nullptr; bpf_map_get_next_key(m.tx_ports(), prev, &next) == 0;
       prev = &key) {
    present.insert(next);
    key = next;
  }
  for (uint32_t ifindex : present)
    if (!keep.count(ifindex) && bpf_map_delete_elem(m.tx_ports(), &ifindex) != 0 && errno != ENOENT)
      return sys_error("remove interface " + std::to_string(ifindex) + " from xlb_tx_ports");
  return {};
}

Status clear_hop(const Maps& m, uint32_t id) {
  xlb_nh none{};
  if (bpf_map_update_elem(m.nexthops(), &id, &none, BPF_ANY) != 0)
    return sys_error("clear the next hop of backend id " + std::to_string(id));
  return {};
}

}  // namespace xlb
