#include "state/nat_table.hpp"

#include <bpf/bpf.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstring>

#include "base/sys_error.hpp"
#include "model/nat.hpp"
#include "net/netlink.hpp"
#include "net/route.hpp"
#include "state/banked_map.hpp"
#include "state/hop_table.hpp"

namespace xlb {

namespace {

using NatEntries = BankEntries<xlb_nat_key, xlb_nat>;

xlb_nat_key nat_key(uint32_t bank, const IpAddr& nat) {
  xlb_nat_key k;
  std::memset(&k, 0, sizeof(k));
  k.bank = bank;
  k.family = nat.family;
  k.nat = nat.to_abi();
  return k;
}

// The probes' egress: the route to the backend and its interface's MAC,
// as the commit's write of the next hops (state/hop_table) already asked
// for them.
class Egress {
 public:
  explicit Egress(HopContext& hops) : hops_(hops) {}
  void fill(const IpAddr& backend, xlb_nat& v) {
    auto found = hops_.routes.get(backend);
    const RouteInfo r = found ? *found : RouteInfo{};
    if (!r.ifindex || r.source == IpAddr{r.source.family, {}}) return;  // no route: dropped
    v.ifindex = r.ifindex;
    v.src = r.source.to_abi();
    const Result<LinkInfo>& link = egress_link(hops_, r.ifindex);
    const MacAddr mac = link ? link->mac : MacAddr{};
    std::memcpy(v.src_mac, mac.bytes.data(), 6);
  }

 private:
  HopContext& hops_;
};

// The distinct ports the service's checks probe (a check without a port
// probes the service's), at most XLB_HC_MAX_CHECK_PORTS.
void set_check_ports(const Service& s, xlb_nat& v) {
  size_t n = 0;
  for (const auto& c : s.checks) {
    uint16_t port = htons(c.port ? c.port : s.port);
    bool seen = false;
    for (size_t i = 0; i < n; i++) seen = seen || v.check_ports[i] == port;
    if (port && !seen && n < XLB_HC_MAX_CHECK_PORTS) v.check_ports[n++] = port;
  }
}

xlb_nat nat_value(const Service& s, const Backend& b) {
  xlb_nat v{};
  set_check_ports(s, v);
  v.vip = s.probe_vip().to_abi();  // a prefix VIP: its first host address
  v.backend = b.id;
  v.cookie = b.cookie;
  v.svc_id = s.id;
  v.port = htons(s.port);
  v.proto = static_cast<uint8_t>(s.proto);
  v.forward = static_cast<uint8_t>(s.forward);
  return v;
}

NatEntries wanted_entries(uint32_t bank, const Config& c, HopContext& hops) {
  NatEntries out;
  Egress egress(hops);
  for (const auto& s : c.services)
    for (const auto& b : s.backends) {
      auto nat = nat_address(c.settings, s, b);
      if (!nat) continue;
      xlb_nat v = nat_value(s, b);
      // The probe's source is an lb address of the VIP's family, which the
      // backend must route back to: only when the backend has that family.
      if (b.addr.family == s.vip.family) egress.fill(b.addr, v);
      out[nat_key(bank, *nat)] = v;
    }
  return out;
}

// The distinct lb source addresses of a bank's entries, at most
// XLB_HC_MAX_LOCAL per family; entries beyond that lose their egress (their
// replies could not be recognised).
void collect_locals(NatEntries& want, xlb_hc_cfg& cfg) {
  cfg.n_local4 = cfg.n_local6 = 0;
  for (auto& [k, v] : want) {
    if (!v.ifindex) continue;
    bool v6 = k.family == XLB_AF_INET6;
    uint8_t& n = v6 ? cfg.n_local6 : cfg.n_local4;
    int i = 0;
    for (; i < n; i++)
      if (v6 ? std::memcmp(&cfg.local6[i], &v.src, 16) == 0 : cfg.local4[i] == v.src.w[0]) break;
    if (i < n) continue;
    if (n == XLB_HC_MAX_LOCAL) {
      v.ifindex = 0;
      continue;
    }
    if (v6)
      cfg.local6[n++] = v.src;
    else
      cfg.local4[n++] = v.src.w[0];
  }
}

Status write_locals(const Maps& m, NatEntries& want) {
  uint32_t zero = 0;
  xlb_hc_cfg cfg{};
  if (bpf_map_lookup_elem(m.hc_cfg(), &zero, &cfg) != 0) return sys_error("read hc settings");
  collect_locals(want, cfg);
  if (bpf_map_update_elem(m.hc_cfg(), &zero, &cfg, BPF_ANY) != 0)
    return sys_error("write hc settings");
  return {};
}

uint64_t range_capacity(const IpPrefix& p) {
  int host_bits = (p.addr.is_v6() ? 128 : 32) - p.len;
  return host_bits >= 32 ? (uint64_t(1) << 32) : (uint64_t(1) << host_bits);
}

}  // namespace

Status check_nat_capacity(const Settings& st, uint32_t backend_capacity) {
  for (int family : {XLB_AF_INET, XLB_AF_INET6}) {
    IpPrefix r = nat_range(st, family);
    // Offsets 1..capacity for the backends, and the last one for the host.
    if (range_capacity(r) < uint64_t(backend_capacity) + 2)
      return usage_error("NAT range " + r.str() + " (" + (family == XLB_AF_INET ? "nat4" : "nat6") +
                         ") is too small for " + std::to_string(backend_capacity) +
                         " backends: it needs a NAT address per backend plus two");
  }
  return {};
}

Status write_bank_nat(const Maps& m, uint32_t bank, const Config& next, HopContext& hops) {
  const BankedMap map{m.nat(), "read NAT table", "delete NAT entry", "write NAT entry", nullptr};
  auto have = read_bank<xlb_nat_key, xlb_nat>(map, bank);
  if (!have) return have.error();
  NatEntries want = wanted_entries(bank, next, hops);
  XLB_TRY(write_locals(m, want));
  return sync_bank(map, *have, want);
}

Result<std::vector<NatRow>> read_nat_table(const Maps& m, const Config& live, uint32_t bank) {
  std::vector<NatRow> rows;
  for (const auto& s : live.services)
    for (const auto& b : s.backends) {
      auto nat = nat_address(live.settings, s, b);
      if (!nat) continue;
      NatRow r{*nat, s.name, s.proto, s.probe_vip(), s.port, b.addr, b.id, 0, IpAddr{}};
      xlb_nat_key k = nat_key(bank, *nat);
      xlb_nat v{};
      if (bpf_map_lookup_elem(m.nat(), &k, &v) == 0) {
        r.ifindex = static_cast<int>(v.ifindex);
        if (v.ifindex) r.source = IpAddr::from_abi(v.src, s.vip.family);
      }
      rows.push_back(r);
    }
  return rows;
}

}  // namespace xlb
