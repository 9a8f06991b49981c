#include "state/bank.hpp"

#include <bpf/bpf.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <vector>

namespace xlb {

namespace {

// Keys compare as bytes: they are fully zeroed before being filled.
struct KeyLess {
  bool operator()(const xlb_svc_key& a, const xlb_svc_key& b) const {
    return std::memcmp(&a, &b, sizeof(a)) < 0;
  }
};
using BankEntries = std::map<xlb_svc_key, xlb_svc, KeyLess>;

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
  return v;
}

xlb_svc vip_value() {
  xlb_svc v{};
  v.id = XLB_NO_SERVICE;
  v.ring = XLB_NO_SERVICE;
  v.flags = XLB_SVC_VIP_ENTRY;
  v.any_port[0] = v.any_port[1] = XLB_NO_SERVICE;
  return v;
}

BankEntries wanted_entries(uint32_t bank, const Config& c) {
  BankEntries out;
  for (const auto& s : c.services) {
    out[make_key(bank, s.vip, static_cast<uint8_t>(s.proto), s.port)] = service_value(s);
    auto [it, fresh] = out.try_emplace(make_key(bank, s.vip, 0, 0), vip_value());
    if (s.port == 0) it->second.any_port[s.proto == Proto::tcp ? 0 : 1] = s.id;
  }
  return out;
}

Result<BankEntries> current_entries(const Maps& m, uint32_t bank) {
  BankEntries out;
  xlb_svc_key key{}, next{};
  const void* prev = nullptr;
  while (bpf_map_get_next_key(m.svcs(), prev, &next) == 0) {
    key = next;
    prev = &key;
    if (key.bank != bank) continue;
    xlb_svc v{};
    if (bpf_map_lookup_elem(m.svcs(), &key, &v) == 0) out[key] = v;
  }
  if (errno != ENOENT) return runtime_error(std::string("read services: ") + std::strerror(errno));
  return out;
}

}  // namespace

Status write_bank_services(const Maps& m, uint32_t bank, const Config& c) {
  auto have = current_entries(m, bank);
  if (!have) return have.error();
  BankEntries want = wanted_entries(bank, c);
  for (const auto& [k, v] : *have)
    if (!want.count(k) && bpf_map_delete_elem(m.svcs(), &k) != 0)
      return runtime_error(std::string("delete service: ") + std::strerror(errno));
  for (const auto& [k, v] : want) {
    auto h = have->find(k);
    if (h != have->end() && std::memcmp(&h->second, &v, sizeof(v)) == 0) continue;
    if (bpf_map_update_elem(m.svcs(), &k, &v, BPF_ANY) != 0)
      return runtime_error(std::string("write service: ") + std::strerror(errno) +
                           (errno == E2BIG || errno == ENOMEM ? " (service map full)" : ""));
  }
  return {};
}

}  // namespace xlb
