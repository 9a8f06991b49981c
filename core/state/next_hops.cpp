#include "state/next_hops.hpp"

#include <chrono>

#include "net/netlink.hpp"

namespace xlb {

namespace {

const Backend* twin(const Config& live, const std::string& svc, const IpAddr& a) {
  const Service* s = live.find_service(svc);
  return s ? s->find_backend(a) : nullptr;
}

// New tunnel backends and the gateways: their next hops must be in the
// neighbour table before the first packet (see prime_next_hop).
void prime_tunnel_next_hops(const Config& live, const Config& next) {
  for (const auto& s : next.services)
    for (const auto& b : s.backends)
      if (is_tunnel(s.forward) && !twin(live, s.name, b.addr)) prime_next_hop(b.addr);
  for (const auto& gw : {next.settings.gateway4, next.settings.gateway6})
    if (gw) prime_next_hop(*gw);
}

}  // namespace

Status fill_macs(const Config& live, Config& next) {
  prime_tunnel_next_hops(live, next);
  for (auto& s : next.services)
    for (auto& b : s.backends) {
      // Only dsr sends to a MAC; a tunnel's backend may be anywhere.
      if (is_tunnel(s.forward) || !b.mac.is_zero()) continue;
      const Backend* old = twin(live, s.name, b.addr);
      if (old && !old->mac.is_zero()) {
        b.mac = old->mac;
        continue;
      }
      auto mac = resolve_neighbour(b.addr, std::chrono::milliseconds(3000));
      if (!mac) return mac.error();
      b.mac = *mac;
    }
  return {};
}

}  // namespace xlb
