#include "state/backend_entries.hpp"

#include <arpa/inet.h>
#include <bpf/bpf.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "base/sys_error.hpp"

namespace xlb {

xlb_backend backend_entry(const Service& s, const Backend& b, const Service::NewFlowRule& rule) {
  xlb_backend e{};
  e.addr = b.addr.to_abi();
  e.cookie = b.cookie;
  e.svc_id = s.id;
  e.family = b.addr.family;
  // An unresolved next hop has no MAC to send to: its flows are re-balanced
  // as a down backend's are. In panic health is ignored, for the flows the
  // table places on a down backend as for the new ones.
  const bool down = b.health == Health::down && !rule.panic;
  e.flags = down || b.unresolved ? XLB_BE_DOWN : 0;
  // Persistence (bpf/persist.h) sends new flows only to backends the Maglev
  // table has, and established flows refresh their client's entry.
  if (!rule.admits(b) || s.table_weight(b) == 0) e.flags |= XLB_BE_NO_NEW;
  if (s.persist) e.flags |= XLB_BE_PERSIST;
  std::memcpy(e.mac, b.mac.bytes.data(), 6);
  e.forward = static_cast<uint8_t>(s.forward);
  e.tun_port = htons(s.tunnel_port());
  return e;
}

BackendEntries backend_entries(const Config& c) {
  BackendEntries out;
  for (const auto& s : c.services) {
    const Service::NewFlowRule rule = s.new_flow_rule();
    for (const auto& b : s.backends) out[b.id] = backend_entry(s, b, rule);
  }
  return out;
}

Status write_backend(const Maps& m, uint32_t id, const xlb_backend& e) {
  if (bpf_map_update_elem(m.backends(), &id, &e, BPF_ANY) != 0) return sys_error("write backend");
  return {};
}

Result<uint32_t> reconcile_backends(const Maps& m, const Config& c) {
  BackendEntries want = backend_entries(c);
  uint32_t written = 0;
  for (uint32_t id = 0; id < m.caps().backends; id++) {
    xlb_backend have{};
    if (bpf_map_lookup_elem(m.backends(), &id, &have) != 0) return sys_error("read backend");
    auto w = want.find(id);
    const xlb_backend wanted = w == want.end() ? xlb_backend{} : w->second;
    if (std::memcmp(&have, &wanted, sizeof(have)) == 0) continue;
    XLB_TRY(write_backend(m, id, wanted));
    written++;
  }
  return written;
}

}  // namespace xlb
