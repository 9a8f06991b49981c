#include "state/hop_table.hpp"

#include <bpf/bpf.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "net/netlink.hpp"
#include "net/route.hpp"
#include "state/attach.hpp"

namespace xlb {

namespace {

using Clock = std::chrono::steady_clock;

HopResult unresolved(std::string why) {
  HopResult r;
  r.entry.flags = XLB_NH_UNRESOLVED;
  r.problem = std::move(why);
  return r;
}

// The MAC of a neighbour, from the round's cache, else the kernel's table
// (asking for ARP/ND and waiting until the round's deadline).
std::optional<MacAddr> neighbour(const IpAddr& a, HopContext& ctx) {
  auto it = ctx.neighbours.find(a);
  if (it != ctx.neighbours.end()) return it->second;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(ctx.deadline - Clock::now());
  auto mac = resolve_neighbour(a, std::max(left, std::chrono::milliseconds(0)));
  if (!mac) return std::nullopt;
  ctx.neighbours[a] = *mac;
  return *mac;
}

// The egress half of an entry: interface, its MAC and MTU.
Status set_egress(xlb_nh& e, int ifindex) {
  auto link = link_by_index(ifindex);
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
    auto route = route_get(b.addr);
    if (route && !route->gateway && ctx.attached.count(route->ifindex)) ifindex = route->ifindex;
  }
  if (ifindex) {
    auto st = set_egress(r.entry, ifindex);
    if (!st) return unresolved(st.error().message);
    r.entry.mtu = 0;  // dsr forwards the client's frame as it is
  }
  return r;
}

// One tunnel next hop: the route to `dst` (out of `oif` when not 0), its
// gateway or dst itself, and that neighbour's MAC.
HopResult tunnel_hop(const IpAddr& dst, int oif, HopContext& ctx) {
  auto route = route_get(dst, oif);
  if (!route) return unresolved(route.error().message);
  IpAddr hop = route->gateway.value_or(dst);
  auto mac = neighbour(hop, ctx);
  if (!mac) return unresolved("no neighbour entry for next hop " + hop.str());
  HopResult r;
  r.entry.flags = XLB_NH_RESOLVED;
  std::memcpy(r.entry.dmac, mac->bytes.data(), 6);
  auto st = set_egress(r.entry, route->ifindex);
  if (!st) return unresolved(st.error().message);
  return r;
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
  if (!via.problem.empty()) return unresolved(r.problem + "; gateway: " + via.problem);
  return via;
}

Status sys_error(const std::string& what) {
  return runtime_error(what + ": " + std::strerror(errno));
}

// Writes the entry when it differs from what the map holds.
Status write_entry(const Maps& m, uint32_t id, const xlb_nh& e) {
  xlb_nh have{};
  if (bpf_map_lookup_elem(m.nexthops(), &id, &have) == 0 && std::memcmp(&have, &e, sizeof(e)) == 0)
    return {};
  if (e.ifindex) XLB_TRY(add_tx_port(m, static_cast<int>(e.ifindex)));
  if (bpf_map_update_elem(m.nexthops(), &id, &e, BPF_ANY) != 0) return sys_error("write next hop");
  return {};
}

}  // namespace

HopContext hop_context(const std::string& pin_path, std::chrono::milliseconds wait) {
  HopContext ctx;
  ctx.deadline = Clock::now() + wait;
  auto att = list_attachments(pin_path);
  if (att)
    for (const auto& a : *att) ctx.attached.insert(a.ifindex);
  return ctx;
}

HopResult resolve_hop(const Service& s, const Backend& b, const Settings& st, HopContext& ctx) {
  HopResult r = is_tunnel(s.forward) ? resolve_tunnel(b, st, ctx) : resolve_dsr(b, ctx);
  set_vlan(r.entry, b);
  return r;
}

Result<std::vector<UnresolvedHop>> write_hops(const Maps& m, const Config& c, HopContext& ctx) {
  std::vector<UnresolvedHop> left;
  for (const auto& s : c.services)
    for (const auto& b : s.backends) {
      HopResult r = resolve_hop(s, b, c.settings, ctx);
      if (!r.problem.empty()) left.push_back({s.name, b.addr, r.problem});
      XLB_TRY(write_entry(m, b.id, r.entry));
    }
  return left;
}

Status add_tx_port(const Maps& m, int ifindex) {
  uint32_t key = ifindex, value = ifindex;
  if (bpf_map_update_elem(m.tx_ports(), &key, &value, BPF_ANY) != 0)
    return sys_error("add interface " + std::to_string(ifindex) + " to xlb_tx_ports");
  return {};
}

}  // namespace xlb
