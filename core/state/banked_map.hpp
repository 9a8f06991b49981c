// The banked hash maps (xlb_svcs, xlb_nat): keys whose `bank` field says
// which of the two banks an entry belongs to. A transaction makes the
// inactive bank's entries equal to what the next configuration wants,
// touching only the entries that differ.
#pragma once

#include <bpf/bpf.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <map>
#include <string>

#include "base/result.hpp"
#include "base/sys_error.hpp"

namespace xlb {

// Keys compare as bytes: they are fully zeroed before being filled.
template <class K>
struct BytesLess {
  bool operator()(const K& a, const K& b) const { return std::memcmp(&a, &b, sizeof(K)) < 0; }
};
template <class K, class V>
using BankEntries = std::map<K, V, BytesLess<K>>;

struct BankedMap {
  int fd;
  // What an error says failed.
  const char* read_what;
  const char* delete_what;
  const char* write_what;
  const char* full_hint;  // added when an insert fails for lack of room
};

template <class K, class V>
Result<BankEntries<K, V>> read_bank(const BankedMap& m, uint32_t bank) {
  BankEntries<K, V> out;
  K key{}, next{};
  const void* prev = nullptr;
  while (bpf_map_get_next_key(m.fd, prev, &next) == 0) {
    key = next;
    prev = &key;
    if (key.bank != bank) continue;
    V v{};
    if (bpf_map_lookup_elem(m.fd, &key, &v) == 0) out[key] = v;
  }
  if (errno != ENOENT) return sys_error(m.read_what);
  return out;
}

template <class K, class V>
Status sync_bank(const BankedMap& m, const BankEntries<K, V>& have, const BankEntries<K, V>& want) {
  for (const auto& [k, v] : have)
    if (!want.count(k) && bpf_map_delete_elem(m.fd, &k) != 0) return sys_error(m.delete_what);
  for (const auto& [k, v] : want) {
    auto h = have.find(k);
    if (h != have.end() && std::memcmp(&h->second, &v, sizeof(v)) == 0) continue;
    if (bpf_map_update_elem(m.fd, &k, &v, BPF_ANY) == 0) continue;
    bool full = errno == E2BIG || errno == ENOMEM;
    Error e = sys_error(m.write_what);
    if (full && m.full_hint) e.message += m.full_hint;
    return e;
  }
  return {};
}

}  // namespace xlb
