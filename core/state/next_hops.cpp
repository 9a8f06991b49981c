#include "state/next_hops.hpp"

#include "model/twins.hpp"
#include "net/netlink.hpp"
#include "state/hop_table.hpp"

namespace xlb {

namespace {

// The tunnel next hops worth waiting for: those of new tunnel backends, and
// of all tunnel backends when a tunnel gateway changed.
std::vector<IpAddr> new_tunnel_hops(const Config& live, const Twins& twins, const Config& next) {
  bool gateways = live.settings.gateway4 != next.settings.gateway4 ||
                  live.settings.gateway6 != next.settings.gateway6;
  return tunnel_neighbours(next, [&](const Service& s, const Backend& b) {
    return gateways || !twins.backend(s.name, b.addr);
  });
}

// The dsr backends that need a MAC, split into new ones (worth waiting
// for) and those already unresolved in `live` (a refresh round retries
// them: an edit elsewhere must not wait for a host known to be dead).
struct Wanted {
  std::vector<Backend*> fresh, known_unresolved;
};

Wanted wanted_macs(const Twins& twins, Config& next) {
  Wanted w;
  for (auto& s : next.services)
    for (auto& b : s.backends) {
      b.unresolved = false;
      // Only dsr sends to a MAC; a tunnel's backend may be anywhere.
      if (is_tunnel(s.forward) || !b.mac.is_zero()) continue;
      const Backend* old = twins.backend(s.name, b.addr);
      if (old && !old->mac.is_zero()) {
        b.mac = old->mac;
      } else {
        (old ? w.known_unresolved : w.fresh).push_back(&b);
      }
    }
  return w;
}

std::vector<IpAddr> addrs_of(const std::vector<Backend*>& bs) {
  std::vector<IpAddr> v;
  v.reserve(bs.size());
  for (const Backend* b : bs) v.push_back(b->addr);
  return v;
}

void set_macs(const std::vector<Backend*>& bs, const std::map<IpAddr, MacAddr>& macs) {
  for (Backend* b : bs) {
    auto it = macs.find(b->addr);
    if (it != macs.end()) b->mac = it->second;
    b->unresolved = b->mac.is_zero();
  }
}

}  // namespace

std::vector<BackendRef> fill_macs(const Config& live, Config& next,
                                  std::chrono::milliseconds wait) {
  const Twins twins(live);
  Wanted w = wanted_macs(twins, next);
  // One round: ARP/ND for new dsr backends and new tunnel next hops at
  // once, one wait for all; the transaction then writes the next-hop table
  // from the neighbour table this leaves (state/hop_table.hpp).
  std::vector<IpAddr> ask = addrs_of(w.fresh), hops = new_tunnel_hops(live, twins, next);
  ask.insert(ask.end(), hops.begin(), hops.end());
  if (!ask.empty()) set_macs(w.fresh, resolve_neighbours(ask, wait));
  if (!w.known_unresolved.empty())
    set_macs(w.known_unresolved,
             resolve_neighbours(addrs_of(w.known_unresolved), std::chrono::milliseconds(0)));
  std::vector<BackendRef> out;
  for (const auto& s : next.services)
    for (const auto& b : s.backends)
      if (b.unresolved) out.push_back({s.name, b.addr});
  return out;
}

}  // namespace xlb
