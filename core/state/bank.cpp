#include "state/bank.hpp"

#include <netinet/in.h>

#include <cstring>
#include <vector>

#include "state/banked_map.hpp"

namespace xlb {

namespace {

using SvcEntries = BankEntries<xlb_svc_key, xlb_svc>;

xlb_svc_key make_key(uint32_t bank, const IpAddr& vip, uint8_t proto, uint16_t port) {
  xlb_svc_key k;
  std::memset(&k, 0, sizeof(k));
  k.bank = bank;
  k.family = vip.family;
  k.proto = proto;
  k.port = htons(port);
  k.vip = vip.to_abi();
  return k;
}

xlb_svc service_value(const Service& s) {
  xlb_svc v{};
  v.id = s.id;
  v.ring = s.ring_slot;
  v.ring_size = s.ring;
  v.flags = s.sched == Sched::sh ? XLB_SVC_SH : 0;
  v.forward = static_cast<uint8_t>(s.forward);
  v.any_port[0] = v.any_port[1] = XLB_NO_SERVICE;
  v.persist = s.persist;
  return v;
}

// A VIP-level entry also carries its first exact-port service, so that a
// new flow to it needs one hash lookup (bpf/lookup.h).
void carry_service(xlb_svc& vip, const xlb_svc& svc, uint8_t proto, uint16_t port) {
  vip.id = svc.id;
  vip.ring = svc.ring;
  vip.ring_size = svc.ring_size;
  vip.forward = svc.forward;
  vip.persist = svc.persist;
  vip.flags |= XLB_SVC_CARRIES | (svc.flags & XLB_SVC_SH);
  vip.proto = proto;
  vip.port = htons(port);
}

xlb_svc vip_value() {
  xlb_svc v{};
  v.id = XLB_NO_SERVICE;
  v.ring = XLB_NO_SERVICE;
  v.flags = XLB_SVC_VIP_ENTRY;
  v.any_port[0] = v.any_port[1] = XLB_NO_SERVICE;
  return v;
}

// One entry per port of the service (port 0: every port), all the same
// service: one id, one ring.
void put_ports(SvcEntries& out, uint32_t bank, const Service& s, const xlb_svc& svc) {
  const auto proto = static_cast<uint8_t>(s.proto);
  if (s.ports.empty()) {
    out[make_key(bank, s.vip, proto, s.port)] = svc;
    return;
  }
  for (const PortRange& r : s.ports)
    for (uint32_t p = r.lo; p <= r.hi; p++)
      out[make_key(bank, s.vip, proto, static_cast<uint16_t>(p))] = svc;
}

SvcEntries wanted_entries(uint32_t bank, const Config& c) {
  SvcEntries out;
  for (const auto& s : c.services) {
    const auto proto = static_cast<uint8_t>(s.proto);
    const xlb_svc svc = service_value(s);
    put_ports(out, bank, s, svc);
    auto [it, fresh] = out.try_emplace(make_key(bank, s.vip, 0, 0), vip_value());
    if (s.port == 0) it->second.any_port[s.proto == Proto::tcp ? 0 : 1] = s.id;
    if (s.port != 0 && !(it->second.flags & XLB_SVC_CARRIES))
      carry_service(it->second, svc, proto, s.port);
    // The VIP answers ping while one of its services can serve.
    if (c.settings.icmp_echo && s.can_serve()) it->second.flags |= XLB_SVC_ECHO;
  }
  return out;
}

}  // namespace

Status write_bank_services(const Maps& m, uint32_t bank, const Config& c) {
  const BankedMap map{m.svcs(), "read services", "delete service", "write service",
                      " (service map full)"};
  auto have = read_bank<xlb_svc_key, xlb_svc>(map, bank);
  if (!have) return have.error();
  return sync_bank(map, *have, wanted_entries(bank, c));
}

}  // namespace xlb
