#include "sync/resolver.hpp"

#include <netinet/in.h>

namespace xlb::sync {

Resolver::Resolver(const Config& c) {
  for (const auto& s : c.services) {
    for (const auto& b : s.backends) {
      if (b.id == XLB_NO_BACKEND || !b.cookie) continue;
      Identity i{s.proto, s.vip, s.vip_len, s.port, b.addr};
      by_identity_[i] = LocalBackend{b.id, b.cookie};
      by_id_[b.id] = {b.cookie, i};
    }
    const IpPrefix vip{s.vip, s.vip_len};
    if (!s.ports.empty()) multiport_.push_back({s.proto, vip, s.ports, s.port});
    Service& v = vips_.services.emplace_back();
    v.vip = s.vip;
    v.vip_len = s.vip_len;
  }
}

uint16_t Resolver::service_port(Proto p, const IpPrefix& vip, uint16_t port) const {
  for (const Multiport& m : multiport_)
    if (m.proto == p && m.vip == vip)
      for (const PortRange& r : m.ports)
        if (r.contains(port)) return m.first;
  return port;
}

std::optional<LocalBackend> Resolver::local(const FlowRecord& r) const {
  Identity i;
  if (r.key.proto == IPPROTO_TCP)
    i.proto = Proto::tcp;
  else if (r.key.proto == IPPROTO_UDP)
    i.proto = Proto::udp;
  else
    return std::nullopt;
  // The flow's destination is one address of a prefix VIP, or the VIP.
  const auto vip = vips_.vip_of(IpAddr::from_abi(r.key.dst, r.key.family));
  if (!vip) return std::nullopt;
  i.vip = vip->addr;
  i.vip_len = vip->len;
  i.svc_port = r.svc_port ? service_port(i.proto, *vip, r.svc_port) : 0;
  i.backend = r.backend;
  auto it = by_identity_.find(i);
  if (it == by_identity_.end()) return std::nullopt;
  return it->second;
}

const Identity* Resolver::identity(uint32_t backend_id, uint32_t cookie) const {
  auto it = by_id_.find(backend_id);
  if (it == by_id_.end() || it->second.first != cookie) return nullptr;
  return &it->second.second;
}

}  // namespace xlb::sync
