#include "state/bank.hpp"

#include <bpf/bpf.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "base/sys_error.hpp"
#include "state/banked_map.hpp"

namespace xlb {

namespace {

using SvcEntries = BankEntries<xlb_svc_key, xlb_svc>;
using PrefixEntries = BankEntries<xlb_vip_prefix_key, xlb_svc>;

// What one bank wants: the service hash, and the prefix VIPs' trie.
struct Wanted {
  SvcEntries svcs;
  PrefixEntries prefixes;
  std::map<std::pair<IpAddr, uint8_t>, uint32_t> prefix_index;  // in order of creation
};

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
// `vip` is the address the entries are under: the VIP's, or a prefix's
// index (xlb_abi.h).
void put_ports(SvcEntries& out, uint32_t bank, const IpAddr& vip, const Service& s,
               const xlb_svc& svc) {
  const auto proto = static_cast<uint8_t>(s.proto);
  if (s.ports.empty()) {
    out[make_key(bank, vip, proto, s.port)] = svc;
    return;
  }
  for (const PortRange& r : s.ports)
    for (uint32_t p = r.lo; p <= r.hi; p++)
      out[make_key(bank, vip, proto, static_cast<uint16_t>(p))] = svc;
}

xlb_vip_prefix_key prefix_key(uint32_t bank, const Service& s) {
  xlb_vip_prefix_key k;
  std::memset(&k, 0, sizeof(k));
  k.prefixlen = XLB_PREFIX_KEY_BITS + s.vip_len;
  k.bank = bank;
  k.family = static_cast<uint32_t>(s.vip.family);
  std::memcpy(k.addr, s.vip.bytes.data(), sizeof(k.addr));
  return k;
}

// A prefix VIP's entry in the trie and the address its services are under.
xlb_svc& prefix_entry(Wanted& w, uint32_t bank, const Service& s, IpAddr& key_vip) {
  auto [idx, added] = w.prefix_index.try_emplace({s.vip, s.vip_len}, w.prefix_index.size());
  key_vip = IpAddr{};
  key_vip.family = s.vip.family | XLB_AF_PREFIX;
  std::memcpy(key_vip.bytes.data(), &idx->second, sizeof(idx->second));
  auto [it, fresh] = w.prefixes.try_emplace(prefix_key(bank, s), vip_value());
  it->second.flags |= XLB_SVC_PREFIX;
  it->second.id = idx->second;
  return it->second;
}

void add_service(Wanted& w, uint32_t bank, const Settings& st, const Service& s) {
  const auto proto = static_cast<uint8_t>(s.proto);
  const xlb_svc svc = service_value(s);
  IpAddr key_vip = s.vip;
  xlb_svc& vip = s.vip_len
                     ? prefix_entry(w, bank, s, key_vip)
                     : w.svcs.try_emplace(make_key(bank, s.vip, 0, 0), vip_value()).first->second;
  put_ports(w.svcs, bank, key_vip, s, svc);
  if (s.port == 0) vip.any_port[s.proto == Proto::tcp ? 0 : 1] = s.id;
  // A prefix's entry carries none: its id is the prefix's index.
  if (s.port != 0 && !s.vip_len && !(vip.flags & XLB_SVC_CARRIES))
    carry_service(vip, svc, proto, s.port);
  // The VIP answers ping while one of its services can serve.
  if (st.icmp_echo && s.can_serve()) vip.flags |= XLB_SVC_ECHO;
}

Wanted wanted_entries(uint32_t bank, const Config& c) {
  Wanted w;
  for (const auto& s : c.services) add_service(w, bank, c.settings, s);
  return w;
}

bool addr_bit(const IpAddr& a, unsigned i) { return (a.bytes[i / 8] >> (7 - i % 8)) & 1; }

xlb_addr mask_of(uint8_t len) {
  xlb_addr m{};
  for (unsigned i = 0; i < len; i++) m.b[i / 8] |= static_cast<uint8_t>(0x80 >> (i % 8));
  return m;
}

// The longest prefix that holds both.
IpPrefix common_prefix(const IpPrefix& a, const IpPrefix& b) {
  uint8_t len = 0;
  while (len < std::min(a.len, b.len) && addr_bit(a.addr, len) == addr_bit(b.addr, len)) len++;
  IpPrefix p{a.addr, len};
  const xlb_addr m = mask_of(len);
  for (size_t i = 0; i < p.addr.bytes.size(); i++) p.addr.bytes[i] &= m.b[i];
  return p;
}

void set_vip_bit(xlb_vip_cover& out, const IpAddr& vip) {
  const xlb_addr a = vip.to_abi();
  const uint32_t bit = xlb_vip_bit(&a);
  out.bits[bit / 64] |= uint64_t{1} << (bit % 64);
}

// What the datapath may take for a VIP (xlb_abi.h): the bit of every exact
// VIP, and per family the longest prefix that holds every prefix VIP (the
// trie is walked only for destinations inside it).
xlb_vip_cover cover_of(const Config& c) {
  std::optional<IpPrefix> v4, v6;
  xlb_vip_cover out{};
  for (const auto& s : c.services) {
    if (!s.vip_len) {
      set_vip_bit(out, s.vip);
      continue;
    }
    std::optional<IpPrefix>& cur = s.vip.is_v6() ? v6 : v4;
    const IpPrefix p{s.vip, s.vip_len};
    cur = cur ? common_prefix(*cur, p) : p;
  }
  if (v4) {
    out.flags |= XLB_COVER_V4;
    out.addr4 = v4->addr.to_abi().w[0];
    out.mask4 = mask_of(v4->len).w[0];
  }
  if (v6) {
    out.flags |= XLB_COVER_V6;
    out.addr6 = v6->addr.to_abi();
    out.mask6 = mask_of(v6->len);
  }
  return out;
}

}  // namespace

Status write_bank_services(const Maps& m, uint32_t bank, const Config& c) {
  const BankedMap map{m.svcs(), "read services", "delete service", "write service",
                      " (service map full)"};
  const BankedMap trie{m.vip_prefixes(), "read prefix VIPs", "delete prefix VIP",
                       "write prefix VIP", " (prefix VIP map full)"};
  const Wanted w = wanted_entries(bank, c);
  auto have = read_bank<xlb_svc_key, xlb_svc>(map, bank);
  if (!have) return have.error();
  auto have_prefixes = read_bank_by_key<xlb_vip_prefix_key, xlb_svc>(trie, bank);
  if (!have_prefixes) return have_prefixes.error();
  XLB_TRY(sync_bank(map, *have, w.svcs));
  XLB_TRY(sync_bank(trie, *have_prefixes, w.prefixes));
  const xlb_vip_cover cover = cover_of(c);
  if (bpf_map_update_elem(m.vip_cover(), &bank, &cover, BPF_ANY) != 0)
    return sys_error("write VIP cover");
  return {};
}

}  // namespace xlb
