#include "state/filter_maps.hpp"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <memory>
#include <set>

#include "base/sys_error.hpp"
#include "filter.skel.h"
#include "state/bpffs.hpp"
#include "state/filter_dir.hpp"
#include "state/loader.hpp"
#include "state/stages.hpp"

namespace xlb {

namespace {

constexpr const char* kFilter4 = "xlb_filter4";
constexpr const char* kFilter6 = "xlb_filter6";
constexpr const char* kLimits = "xlb_filter_limits";
constexpr const char* kStats = "xlb_filter_stats";
constexpr const char* kDir4 = "xlb_filter_dir4";
constexpr const char* kShort4 = "xlb_filter_short4";
constexpr const char* kClear4 = "xlb_filter_clear4";

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
  e.l3_only = 1;
  return e;
}

void add_drop(xlb_filter_entry& e, const FilterRule& r, bool v6) {
  xlb_filter_drop& d = e.drops[e.n_drops++];
  d.id = r.id;
  d.proto = static_cast<uint8_t>(r.proto);
  d.has_dst = r.dst.has_value();
  d.port = htons(r.port);
  // IPv4's protocol is in its header; IPv6's may follow extension headers.
  if (r.port || (r.proto != FilterProto::any && v6)) e.l3_only = 0;
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
      add_drop(e, r, v6);  // validate_filters keeps this within XLB_FILTER_DROPS
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

// The IPv4 trie's entries as prefixes, for the shortcut.
std::vector<FilterPrefix4> prefixes4(
    const std::map<std::array<uint8_t, 8>, xlb_filter_entry>& trie) {
  std::vector<FilterPrefix4> out;
  for (const auto& [k, e] : trie) {
    FilterPrefix4 p;
    std::memcpy(&p.len, k.data(), 4);
    uint32_t be = 0;
    std::memcpy(&be, k.data() + 4, 4);
    p.addr = ntohl(be);
    p.entry = e;
    out.push_back(p);
  }
  return out;
}

// Writes values[i] at key i for each i in `at`, in one call.
template <typename V>
Status write_array(int fd, const std::vector<uint32_t>& at, const std::vector<V>& values,
                   const char* name) {
  if (at.empty()) return {};
  std::vector<V> vals;
  vals.reserve(at.size());
  for (uint32_t i : at) vals.push_back(values[i]);
  auto count = static_cast<uint32_t>(at.size());
  if (bpf_map_update_batch(fd, at.data(), vals.data(), &count, nullptr) != 0)
    return sys_error(std::string("write ") + name);
  return {};
}

template <typename V>
Result<std::vector<V>> read_array(int fd, uint32_t size, const char* name) {
  std::vector<uint32_t> keys(size);
  std::vector<V> vals(size);
  uint32_t batch = 0, count = size;
  if (bpf_map_lookup_batch(fd, nullptr, &batch, keys.data(), vals.data(), &count, nullptr) != 0 &&
      errno != ENOENT)
    return sys_error(std::string("read ") + name);
  vals.resize(size);
  return vals;
}

bool same_entry(const xlb_filter_entry& a, const xlb_filter_entry& b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

// The blocks whose decision changes: to be walked while the rest is written,
// so that no packet meets a block pointing at a half-written entry.
std::vector<uint32_t> changing_blocks(const std::vector<uint32_t>& old_blocks,
                                      const std::vector<xlb_filter_entry>& old_shorts,
                                      const FilterDir& next) {
  std::vector<uint32_t> out;
  for (uint32_t b = 0; b < XLB_FILTER_DIR4_BLOCKS; b++) {
    const uint32_t v = old_blocks[b];
    if (v == XLB_FILTER_DIR_WALK) continue;
    const bool moved = v != next.blocks[b];
    const uint32_t i = v - XLB_FILTER_DIR_SHORT;
    const bool rewritten = v >= XLB_FILTER_DIR_SHORT &&
                           (i >= next.shorts.size() || !same_entry(old_shorts[i], next.shorts[i]));
    if (moved || rewritten) out.push_back(b);
  }
  return out;
}

// The clear /24s that change. Written after the trie and before the blocks'
// final values: a block about to walk finds its bits right.
Status write_clear(int fd, const std::vector<uint64_t>& next) {
  auto old = read_array<uint64_t>(fd, XLB_FILTER_CLEAR4_WORDS, kClear4);
  if (!old) return old.error();
  std::vector<uint32_t> changed;
  for (uint32_t w = 0; w < XLB_FILTER_CLEAR4_WORDS; w++)
    if ((*old)[w] != next[w]) changed.push_back(w);
  return write_array(fd, changed, next, kClear4);
}

struct DirFds {
  int dir, shorts, clear;
};

// The shortcut maps of a new rule set; `write_tries` in between, while the
// changing blocks walk the trie.
Status write_dir(const DirFds& fds, const FilterDir& next,
                 const std::function<Status()>& write_tries) {
  const int dir_fd = fds.dir, short_fd = fds.shorts;
  auto old_blocks = read_array<uint32_t>(dir_fd, XLB_FILTER_DIR4_BLOCKS, kDir4);
  if (!old_blocks) return old_blocks.error();
  auto old_shorts = read_array<xlb_filter_entry>(short_fd, XLB_FILTER_SHORT4, kShort4);
  if (!old_shorts) return old_shorts.error();
  const std::vector<uint32_t> walking = changing_blocks(*old_blocks, *old_shorts, next);
  const std::vector<uint32_t> walk_all(XLB_FILTER_DIR4_BLOCKS, XLB_FILTER_DIR_WALK);
  XLB_TRY(write_array(dir_fd, walking, walk_all, kDir4));
  std::vector<uint32_t> shorts(next.shorts.size());
  for (uint32_t i = 0; i < shorts.size(); i++) shorts[i] = i;
  XLB_TRY(write_array(short_fd, shorts, next.shorts, kShort4));
  XLB_TRY(write_tries());
  XLB_TRY(write_clear(fds.clear, next.clear));
  std::vector<uint32_t> set;
  for (uint32_t b = 0; b < XLB_FILTER_DIR4_BLOCKS; b++)
    if (next.blocks[b] != (*old_blocks)[b] || std::binary_search(walking.begin(), walking.end(), b))
      set.push_back(b);
  return write_array(dir_fd, set, next.blocks, kDir4);
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
  } else if (access((pin_path + "/" + kClear4).c_str(), F_OK) != 0) {
    XLB_TRY(make_filter_maps(pin_path));  // pins of a release before the shortcut
  }
  MapFd t4(pin_path, kFilter4), t6(pin_path, kFilter6), limits(pin_path, kLimits),
      stats(pin_path, kStats), dir(pin_path, kDir4), shorts(pin_path, kShort4),
      clear(pin_path, kClear4);
  if (t4.fd < 0 || t6.fd < 0 || limits.fd < 0 || stats.fd < 0 || dir.fd < 0 || shorts.fd < 0 ||
      clear.fd < 0)
    return sys_error("cannot open the filter maps under " + pin_path);
  // Limits and counters first: a trie entry never names a rule id that is
  // not ready.
  XLB_TRY(write_limits(limits.fd, rules));
  XLB_TRY(zero_new_counters(stats.fd, live, rules));
  const auto v4 = trie_entries<4>(rules, false);
  return write_dir({dir.fd, shorts.fd, clear.fd}, build_filter_dir(prefixes4(v4)), [&]() -> Status {
    XLB_TRY(write_trie<4>(t4.fd, v4, kFilter4));
    return write_trie<16>(t6.fd, trie_entries<16>(rules, true), kFilter6);
  });
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
