#include "state/filter_maps.hpp"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <set>

#include "base/sys_error.hpp"
#include "filter.skel.h"
#include "state/bpffs.hpp"
#include "state/loader.hpp"
#include "state/stages.hpp"

namespace xlb {

namespace {

constexpr const char* kFilter4 = "xlb_filter4";
constexpr const char* kFilter6 = "xlb_filter6";
constexpr const char* kLimits = "xlb_filter_limits";
constexpr const char* kStats = "xlb_filter_stats";

// An owned fd of a pinned map; -1 when it is not there.
struct MapFd {
  MapFd(const std::string& pin_path, const char* name)
      : fd(bpf_obj_get((pin_path + "/" + name).c_str())) {}
  ~MapFd() {
    if (fd >= 0) close(fd);
  }
  MapFd(const MapFd&) = delete;
  MapFd& operator=(const MapFd&) = delete;
  int fd;
};

struct FilterSkelDeleter {
  void operator()(filter_bpf* s) const { filter_bpf__destroy(s); }
};

// Loads the filter object's maps only (no program: an extension program
// needs its target to load), which creates and pins them.
Status make_filter_maps(const std::string& pin_path) {
  XLB_TRY(ensure_pin_dir(pin_path));
  LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_path.c_str());
  std::unique_ptr<filter_bpf, FilterSkelDeleter> skel(filter_bpf__open_opts(&opts));
  if (!skel) return libbpf_error("cannot open the filter object", errno);
  bpf_program__set_autoload(skel->progs.xlb_filter, false);
  int err = filter_bpf__load(skel.get());
  if (err) return libbpf_error("cannot make the filter maps", err);
  return {};
}

// A prefix as the LPM key's bytes: the length, then the address.
template <size_t N>
std::array<uint8_t, 4 + N> lpm_key(const IpPrefix& p) {
  std::array<uint8_t, 4 + N> k{};
  const uint32_t len = p.len;
  std::memcpy(k.data(), &len, 4);
  std::memcpy(k.data() + 4, p.addr.bytes.data(), N);
  return k;
}

xlb_filter_entry empty_entry() {
  xlb_filter_entry e{};
  e.limit_id = XLB_FILTER_NO_RULE;
  return e;
}

void add_drop(xlb_filter_entry& e, const FilterRule& r) {
  xlb_filter_drop& d = e.drops[e.n_drops++];
  d.id = r.id;
  d.proto = static_cast<uint8_t>(r.proto);
  d.has_dst = r.dst.has_value();
  d.port = htons(r.port);
  if (r.dst) std::memcpy(d.dst, r.dst->bytes.data(), 16);
}

// The entries of one family's trie, by key bytes.
template <size_t N>
std::map<std::array<uint8_t, 4 + N>, xlb_filter_entry> trie_entries(
    const std::vector<FilterRule>& rules, bool v6) {
  std::map<std::array<uint8_t, 4 + N>, xlb_filter_entry> out;
  for (const auto& r : rules) {
    IpPrefix p;
    if (r.src) {
      if (r.src->addr.is_v6() != v6) continue;
      p = *r.src;
    } else {
      p.addr.family = v6 ? XLB_AF_INET6 : XLB_AF_INET;
    }
    auto [it, fresh] = out.try_emplace(lpm_key<N>(p), empty_entry());
    xlb_filter_entry& e = it->second;
    if (r.kind == FilterKind::drop) {
      add_drop(e, r);  // validate_filters keeps this within XLB_FILTER_DROPS
    } else {
      e.limit_id = r.id;
      e.per_len = r.per_len(v6);
    }
  }
  return out;
}

// Writes the wanted entries, then deletes every other key of the trie.
template <size_t N>
Status write_trie(int fd, const std::map<std::array<uint8_t, 4 + N>, xlb_filter_entry>& want,
                  const char* name) {
  for (const auto& [k, e] : want)
    if (bpf_map_update_elem(fd, k.data(), &e, BPF_ANY) != 0)
      return sys_error(std::string("write ") + name);
  std::vector<std::array<uint8_t, 4 + N>> stale;
  std::array<uint8_t, 4 + N> key{}, next{};
  const void* prev = nullptr;
  while (bpf_map_get_next_key(fd, prev, next.data()) == 0) {
    if (!want.contains(next)) stale.push_back(next);
    key = next;
    prev = key.data();
  }
  for (const auto& k : stale)
    if (bpf_map_delete_elem(fd, k.data()) != 0 && errno != ENOENT)
      return sys_error(std::string("delete from ") + name);
  return {};
}

Status write_limits(int fd, const std::vector<FilterRule>& rules) {
  for (const auto& r : rules) {
    if (r.kind != FilterKind::limit) continue;
    xlb_filter_limit l{};
    l.rate = r.rate;
    l.burst = r.effective_burst();
    l.bits = r.unit == RateUnit::bps;
    if (bpf_map_update_elem(fd, &r.id, &l, BPF_ANY) != 0) return sys_error("write filter limits");
  }
  return {};
}

Status zero_counters(int fd, uint32_t id) {
  std::vector<xlb_filter_counters> zero(libbpf_num_possible_cpus());
  if (bpf_map_update_elem(fd, &id, zero.data(), BPF_ANY) != 0)
    return sys_error("zero filter counters");
  return {};
}

Status zero_new_counters(int fd, const std::vector<FilterRule>& live,
                         const std::vector<FilterRule>& rules) {
  std::set<uint32_t> old;
  for (const auto& r : live) old.insert(r.id);
  for (const auto& r : rules)
    if (!old.contains(r.id)) XLB_TRY(zero_counters(fd, r.id));
  return {};
}

}  // namespace

Status write_filter_rules(const std::string& pin_path, const std::vector<FilterRule>& live,
                          const std::vector<FilterRule>& rules) {
  if (access((pin_path + "/" + kFilter4).c_str(), F_OK) != 0) {
    if (rules.empty()) return {};  // never filtered: nothing to clear
    XLB_TRY(make_filter_maps(pin_path));
  }
  MapFd t4(pin_path, kFilter4), t6(pin_path, kFilter6), limits(pin_path, kLimits),
      stats(pin_path, kStats);
  if (t4.fd < 0 || t6.fd < 0 || limits.fd < 0 || stats.fd < 0)
    return sys_error("cannot open the filter maps under " + pin_path);
  // Limits and counters first: a trie entry never names a rule id that is
  // not ready.
  XLB_TRY(write_limits(limits.fd, rules));
  XLB_TRY(zero_new_counters(stats.fd, live, rules));
  XLB_TRY(write_trie<4>(t4.fd, trie_entries<4>(rules, false), kFilter4));
  return write_trie<16>(t6.fd, trie_entries<16>(rules, true), kFilter6);
}

Status commit_filters(const std::string& pin_path, const std::vector<FilterRule>& live,
                      const std::vector<FilterRule>& next) {
  if (live == next) return {};
  XLB_TRY(write_filter_rules(pin_path, live, next));
  if (live.empty() == next.empty()) return {};
  return sync_filter_stage(pin_path, !next.empty());
}

std::map<uint32_t, FilterCounts> read_filter_counters(const std::string& pin_path,
                                                      const std::vector<FilterRule>& rules) {
  std::map<uint32_t, FilterCounts> out;
  MapFd stats(pin_path, kStats);
  if (stats.fd < 0) return out;
  std::vector<xlb_filter_counters> per_cpu(libbpf_num_possible_cpus());
  for (const auto& r : rules) {
    if (bpf_map_lookup_elem(stats.fd, &r.id, per_cpu.data()) != 0) continue;
    FilterCounts& sum = out[r.id];
    for (const auto& c : per_cpu) sum.packets += c.packets, sum.bytes += c.bytes;
  }
  return out;
}

Status reset_filter_counters(const std::string& pin_path, const std::vector<FilterRule>& rules) {
  MapFd stats(pin_path, kStats);
  if (stats.fd < 0) return {};
  for (const auto& r : rules) XLB_TRY(zero_counters(stats.fd, r.id));
  return {};
}

}  // namespace xlb
