#include "state/stats.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "base/sys_error.hpp"

namespace xlb {

namespace {

constexpr const char* kGlobalNames[XLB_G_MAX] = {"pass",
                                                 "tx",
                                                 "drop",
                                                 "redirect",
                                                 "aborted",
                                                 "drop_no_service",
                                                 "drop_no_backend",
                                                 "drop_malformed",
                                                 "drop_fragment",
                                                 "icmp_to_flow",
                                                 "flow_rebalanced",
                                                 "new_flows",
                                                 "drop_no_nexthop",
                                                 "drop_too_big",
                                                 "icmp_too_big_sent",
                                                 "drop_encap",
                                                 "drop_fwd_disabled",
                                                 "hc_probes",
                                                 "hc_replies",
                                                 "drop_hc_unknown",
                                                 "drop_hc_no_route",
                                                 "hc_reply_clash",
                                                 "drop_hc_source",
                                                 "flow_guard_skipped",
                                                 "fib_lookups",
                                                 "hc_chatter",
                                                 "drop_hc_port",
                                                 "drop_hc_forwarded",
                                                 "echo_replies",
                                                 "drop_echo_rate",
                                                 "sync_ring_full"};

constexpr const char* kSyncNames[XLB_SYNC_C_MAX] = {"events",
                                                    "sent",
                                                    "datagrams_sent",
                                                    "datagrams_received",
                                                    "received",
                                                    "installed",
                                                    "kept_local",
                                                    "unknown_backend",
                                                    "rejected_tag",
                                                    "rejected_replay",
                                                    "rejected_malformed",
                                                    "bulk_requests"};

int ncpus() {
  static int n = libbpf_num_possible_cpus();
  return n;
}

Result<Counters> read_counters(int fd, uint32_t id) {
  std::vector<xlb_counters> per_cpu(ncpus());
  if (bpf_map_lookup_elem(fd, &id, per_cpu.data()) != 0) return sys_error("read counters");
  Counters sum;
  for (const auto& c : per_cpu) {
    sum.packets += c.packets;
    sum.bytes += c.bytes;
    sum.new_flows += c.new_flows;
  }
  return sum;
}

Counters sum_of(const xlb_counters* per_cpu) {
  Counters sum;
  for (int c = 0; c < ncpus(); c++) {
    sum.packets += per_cpu[c].packets;
    sum.bytes += per_cpu[c].bytes;
    sum.new_flows += per_cpu[c].new_flows;
  }
  return sum;
}

// The counters of ids 0..last, read with BPF_MAP_LOOKUP_BATCH: a few system
// calls for 10,000 backends instead of one each. Empty when the kernel
// cannot (the caller then reads id by id).
std::vector<Counters> read_counters_upto(int fd, uint32_t last) {
  const uint32_t n = last + 1;
  std::vector<uint32_t> keys(n);
  std::vector<xlb_counters> values(size_t(n) * ncpus());
  uint32_t done = 0, cursor = 0;
  while (done < n) {
    uint32_t count = n - done;
    int rc = bpf_map_lookup_batch(fd, done ? &cursor : nullptr, &cursor, keys.data() + done,
                                  values.data() + size_t(done) * ncpus(), &count, nullptr);
    if (rc != 0 && errno != ENOENT) return {};
    done += count;
    if (rc != 0 || count == 0) break;
  }
  if (done < n) return {};
  std::vector<Counters> out(n);
  for (uint32_t i = 0; i < n; i++) out[keys[i]] = sum_of(&values[size_t(i) * ncpus()]);
  return out;
}

Status zero_counters(int fd, uint32_t id, size_t value_size) {
  std::vector<uint8_t> zero(value_size * ncpus(), 0);
  if (bpf_map_update_elem(fd, &id, zero.data(), BPF_ANY) != 0) return sys_error("reset counters");
  return {};
}

Status read_global(const Maps& m, StatsSnapshot& out) {
  std::vector<uint64_t> per_cpu(ncpus());
  for (uint32_t i = 0; i < XLB_G_MAX; i++) {
    if (bpf_map_lookup_elem(m.global(), &i, per_cpu.data()) != 0) return sys_error("read counters");
    for (uint64_t v : per_cpu) out.global[i] += v;
  }
  return {};
}

}  // namespace

const char* sync_counter_name(int index) {
  return index >= 0 && index < XLB_SYNC_C_MAX ? kSyncNames[index] : "?";
}

std::array<uint64_t, XLB_SYNC_C_MAX> read_sync_counters(const std::string& pin_path) {
  std::array<uint64_t, XLB_SYNC_C_MAX> out{};
  int fd = bpf_obj_get((pin_path + "/xlb_sync_stats").c_str());
  if (fd < 0) return out;
  for (uint32_t i = 0; i < XLB_SYNC_C_MAX; i++) (void)bpf_map_lookup_elem(fd, &i, &out[i]);
  close(fd);
  return out;
}

const char* global_counter_name(int index) {
  return index >= 0 && index < XLB_G_MAX ? kGlobalNames[index] : "?";
}

namespace {

// One id at a time: few objects, or a kernel without batch lookups.
Status read_stats_by_id(const Maps& m, const Config& c, StatsSnapshot& out) {
  for (const auto& s : c.services) {
    auto sc = read_counters(m.svc_stats(), s.id);
    if (!sc) return sc.error();
    out.services[s.id] = *sc;
    for (const auto& b : s.backends) {
      auto bc = read_counters(m.be_stats(), b.id);
      if (!bc) return bc.error();
      out.backends[b.id] = *bc;
    }
  }
  return {};
}

// Below this many backends, one lookup each costs less than reading the
// arrays up to the highest id.
constexpr size_t kBatchFrom = 64;

bool read_stats_batched(const Maps& m, const Config& c, StatsSnapshot& out) {
  uint32_t last_svc = 0, last_be = 0;
  size_t backends = 0;
  for (const auto& s : c.services) {
    last_svc = std::max(last_svc, s.id);
    for (const auto& b : s.backends) last_be = std::max(last_be, b.id);
    backends += s.backends.size();
  }
  if (backends < kBatchFrom) return false;
  auto svcs = read_counters_upto(m.svc_stats(), last_svc);
  auto bes = read_counters_upto(m.be_stats(), last_be);
  if (svcs.empty() || bes.empty()) return false;
  for (const auto& s : c.services) {
    out.services[s.id] = svcs[s.id];
    for (const auto& b : s.backends) out.backends[b.id] = bes[b.id];
  }
  return true;
}

}  // namespace

Result<StatsSnapshot> read_stats(const Maps& m, const Config& c) {
  StatsSnapshot out;
  if (!read_stats_batched(m, c, out)) XLB_TRY(read_stats_by_id(m, c, out));
  XLB_TRY(read_global(m, out));
  out.sync = read_sync_counters(m.pin_path());
  return out;
}

Status zero_service_stats(const Maps& m, uint32_t id) {
  return zero_counters(m.svc_stats(), id, sizeof(xlb_counters));
}

Status zero_backend_stats(const Maps& m, uint32_t id) {
  return zero_counters(m.be_stats(), id, sizeof(xlb_counters));
}

Status reset_service_stats(const Maps& m, const Service& s) {
  XLB_TRY(zero_service_stats(m, s.id));
  for (const auto& b : s.backends) XLB_TRY(zero_backend_stats(m, b.id));
  return {};
}

Status reset_stats(const Maps& m, const Config& c) {
  for (const auto& s : c.services) XLB_TRY(reset_service_stats(m, s));
  for (uint32_t i = 0; i < XLB_G_MAX; i++) XLB_TRY(zero_counters(m.global(), i, sizeof(uint64_t)));
  return {};
}

}  // namespace xlb
