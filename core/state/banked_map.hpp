// The banked hash maps (xlb_svcs, xlb_nat): keys whose `bank` field says
// which of the two banks an entry belongs to. A transaction makes the
// inactive bank's entries equal to what the next configuration wants,
// touching only the entries that differ.
#pragma once

#include <bpf/bpf.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

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

// What a bank holds now: its entries sorted by key (BytesLess), so that
// sync_bank compares it with what is wanted in one merge, without building
// a tree of 10,000 NAT entries on every commit.
template <class K, class V>
using BankRows = std::vector<std::pair<K, V>>;

// Sorted, each key once (a map being walked never yields a key twice; this
// keeps sync_bank from deleting one twice if it did).
template <class K, class V>
void sort_rows(BankRows<K, V>& rows) {
  std::sort(rows.begin(), rows.end(),
            [](const auto& a, const auto& b) { return BytesLess<K>{}(a.first, b.first); });
  auto same = [](const auto& a, const auto& b) {
    return std::memcmp(&a.first, &b.first, sizeof(K)) == 0;
  };
  rows.erase(std::unique(rows.begin(), rows.end(), same), rows.end());
}

// One entry at a time: for kernels without batch lookups of hash maps.
template <class K, class V>
Result<BankRows<K, V>> read_bank_by_key(const BankedMap& m, uint32_t bank) {
  BankRows<K, V> out;
  K key{}, next{};
  const void* prev = nullptr;
  while (bpf_map_get_next_key(m.fd, prev, &next) == 0) {
    key = next;
    prev = &key;
    if (key.bank != bank) continue;
    V v{};
    if (bpf_map_lookup_elem(m.fd, &key, &v) == 0) out.emplace_back(key, v);
  }
  if (errno != ENOENT) return sys_error(m.read_what);
  sort_rows(out);
  return out;
}

// BPF_MAP_LOOKUP_BATCH: a few system calls for the whole map instead of two
// per entry (1,000 services x 10 backends: 30,000 calls per commit).
template <class K, class V>
Result<BankRows<K, V>> read_bank(const BankedMap& m, uint32_t bank) {
  BankRows<K, V> out;
  uint32_t chunk = 1024;
  std::vector<K> keys(chunk);
  std::vector<V> values(chunk);
  uint64_t cursor = 0;
  bool first = true;
  for (;;) {
    uint32_t count = chunk;
    int rc = bpf_map_lookup_batch(m.fd, first ? nullptr : &cursor, &cursor, keys.data(),
                                  values.data(), &count, nullptr);
    int err = rc ? errno : 0;
    if (err && err != ENOENT && first && count == 0 && err != ENOSPC)
      return read_bank_by_key<K, V>(m, bank);
    if (err == ENOSPC && count == 0) {  // a bucket larger than the chunk
      chunk *= 2;
      keys.resize(chunk);
      values.resize(chunk);
      continue;
    }
    if (err && err != ENOENT) return sys_error(m.read_what, err);
    for (uint32_t i = 0; i < count; i++)
      if (keys[i].bank == bank) out.emplace_back(keys[i], values[i]);
    if (err == ENOENT) break;
    first = false;
  }
  sort_rows(out);
  return out;
}

// Deletes what the bank has and `want` has not, then writes what differs,
// deletes first so that a full map has room for the writes. Both sides
// are sorted by BytesLess: each pass is one merge.
template <class K, class V>
Status sync_bank(const BankedMap& m, const BankRows<K, V>& have, const BankEntries<K, V>& want) {
  const BytesLess<K> less;
  auto w = want.begin();
  for (const auto& [k, v] : have) {
    while (w != want.end() && less(w->first, k)) ++w;
    if ((w == want.end() || less(k, w->first)) && bpf_map_delete_elem(m.fd, &k) != 0)
      return sys_error(m.delete_what);
  }
  auto h = have.begin();
  for (const auto& [k, v] : want) {
    while (h != have.end() && less(h->first, k)) ++h;
    if (h != have.end() && !less(k, h->first) && std::memcmp(&h->second, &v, sizeof(v)) == 0)
      continue;
    if (bpf_map_update_elem(m.fd, &k, &v, BPF_ANY) == 0) continue;
    bool full = errno == E2BIG || errno == ENOMEM;
    Error e = sys_error(m.write_what);
    if (full && m.full_hint) e.message += m.full_hint;
    return e;
  }
  return {};
}

}  // namespace xlb
