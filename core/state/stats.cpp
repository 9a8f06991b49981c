#include "state/stats.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

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

Result<StatsSnapshot> read_stats(const Maps& m, const Config& c) {
  StatsSnapshot out;
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
