#include "state/transaction.hpp"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <set>
#include <vector>

#include "base/sys_error.hpp"
#include "model/capacities.hpp"
#include "model/maglev.hpp"
#include "model/twins.hpp"
#include "state/backend_entries.hpp"
#include "state/bank.hpp"
#include "state/filter_maps.hpp"
#include "state/hc_port.hpp"
#include "state/hop_table.hpp"
#include "state/nat_table.hpp"
#include "state/recovery.hpp"
#include "state/stats.hpp"
#include "state/store.hpp"

namespace xlb {

namespace {

// The lowest number in [0, limit) not in `used`; adds it to `used`.
Result<uint32_t> allocate(std::set<uint32_t>& used, uint32_t limit, const char* what) {
  uint32_t id = 0;
  for (uint32_t u : used) {
    if (u != id) break;
    id++;
  }
  if (id >= limit) return capacity_exhausted(what, limit);
  used.insert(id);
  return id;
}

// Keeps the ids of everything that survives; collects the ids in use.
void inherit_ids(const Config& live, const Twins& twins, Config& next, std::set<uint32_t>& svc_ids,
                 std::set<uint32_t>& be_ids) {
  for (const auto& s : live.services) {
    svc_ids.insert(s.id);
    for (const auto& b : s.backends) be_ids.insert(b.id);
  }
  for (auto& s : next.services) {
    const Service* old = twins.service(s.name);
    s.id = old ? old->id : XLB_NO_SERVICE;
    for (auto& b : s.backends) {
      const Backend* ob = old ? twins.backend(s.name, b.addr) : nullptr;
      b.id = ob ? ob->id : XLB_NO_BACKEND;
      b.cookie = ob ? ob->cookie : 0;
    }
  }
}

// The ids and cookies `next` carries, kept.
void adopt_own_ids(const Config& next, std::set<uint32_t>& svc_ids, std::set<uint32_t>& be_ids) {
  for (const auto& s : next.services) {
    svc_ids.insert(s.id);
    for (const auto& b : s.backends) be_ids.insert(b.id);
  }
}

Status assign_ids(const Maps& m, const Config& live, const Twins& twins, Config& next, bool adopt) {
  std::set<uint32_t> svc_ids, be_ids;
  if (adopt)
    adopt_own_ids(next, svc_ids, be_ids);
  else
    inherit_ids(live, twins, next, svc_ids, be_ids);
  for (auto& s : next.services) {
    if (s.id == XLB_NO_SERVICE) {
      auto id = allocate(svc_ids, m.caps().services, "services");
      if (!id) return id.error();
      s.id = *id;
    }
    for (auto& b : s.backends) {
      if (b.id != XLB_NO_BACKEND) continue;
      auto id = allocate(be_ids, m.caps().backends, "backends");
      if (!id) return id.error();
      b.id = *id;
      b.cookie = next.next_cookie++;
      if (next.next_cookie == 0) next.next_cookie = 1;
    }
  }
  return {};
}

std::vector<MaglevEntry> table_inputs(const Service& s) {
  std::vector<MaglevEntry> v;
  const Service::NewFlowRule rule = s.new_flow_rule();
  for (const auto& b : s.backends)
    if (rule.admits(b)) v.push_back({b.addr, s.table_weight(b), b.id});
  return v;
}

bool same_table(const Service& a, uint32_t seed_a, const Service& b, uint32_t seed_b) {
  auto ta = table_inputs(a), tb = table_inputs(b);
  if (a.ring != b.ring || seed_a != seed_b || ta.size() != tb.size()) return false;
  for (size_t i = 0; i < ta.size(); i++)
    if (ta[i].addr != tb[i].addr || ta[i].weight != tb[i].weight || ta[i].id != tb[i].id)
      return false;
  return true;
}

// New inner maps, each filled with its table, waiting to be linked.
class PendingTables {
 public:
  PendingTables() = default;
  PendingTables(const PendingTables&) = delete;
  PendingTables& operator=(const PendingTables&) = delete;
  ~PendingTables() {
    for (int fd : fds_) close(fd);
  }

  // The table is written through a mapping of the map (the template is
  // BPF_F_MMAPABLE): one pass in user space, where a batch update copies
  // key and value of every slot in the kernel (65537 slots: 6.4 ms, 0.7
  // with the mapping, creation included). The kernel stores array values
  // 8-byte aligned: each u32 slot takes 8 bytes of the mapping.
  Status add(uint32_t slot, const std::vector<uint32_t>& table) {
    LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_INNER_MAP | BPF_F_MMAPABLE);
    int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "xlb_ring", 4, 4, table.size(), &opts);
    if (fd < 0) return sys_error("create Maglev table");
    fds_.push_back(fd);
    slots_.push_back(slot);
    const size_t bytes = table.size() * kStride;
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) return sys_error("map Maglev table");
    auto* out = static_cast<uint8_t*>(p);
    for (size_t i = 0; i < table.size(); i++) std::memcpy(out + i * kStride, &table[i], 4);
    munmap(p, bytes);
    return {};
  }

  // One batch into xlb_rings: the kernel waits for an RCU grace period
  // after each update of a map-in-map, and once for a whole batch, so 1,000
  // new tables cost one wait instead of 1,000.
  Status link(const Maps& m) {
    if (slots_.empty()) return {};
    uint32_t count = slots_.size();
    if (bpf_map_update_batch(m.rings(), slots_.data(), fds_.data(), &count, nullptr) != 0)
      return sys_error("install Maglev tables");
    return {};
  }

 private:
  static constexpr size_t kStride = 8;  // round_up(value_size, 8)
  std::vector<uint32_t> slots_;
  std::vector<int> fds_;
};

Status build_tables(const Maps& m, const Config& live, const Twins& twins, Config& next) {
  std::set<uint32_t> used;
  for (const auto& s : live.services)
    if (s.ring_slot != XLB_NO_SERVICE) used.insert(s.ring_slot);
  PendingTables tables;
  for (auto& s : next.services) {
    const Service* old = twins.service(s.name);
    if (table_inputs(s).empty()) {
      s.ring_slot = XLB_NO_SERVICE;  // the datapath drops: no backend
      continue;
    }
    if (old && old->ring_slot != XLB_NO_SERVICE &&
        same_table(*old, live.settings.seed, s, next.settings.seed)) {
      s.ring_slot = old->ring_slot;
      continue;
    }
    auto slot = allocate(used, XLB_RING_SLOTS_PER_SERVICE * m.caps().services, "tables");
    if (!slot) return slot.error();
    s.ring_slot = *slot;
    auto inputs = table_inputs(s);
    XLB_TRY(tables.add(s.ring_slot, maglev_build(inputs, s.ring, next.settings.seed)));
  }
  return tables.link(m);
}

// A backend whose forwarding method or tunnel port changes is rewritten
// after the flip: the new method may need a tunnel setting (source address)
// that only the new bank has, and established flows read the live bank.
bool changing_method(const xlb_backend& a, const xlb_backend& b) {
  return a.forward != b.forward || a.tun_port != b.tun_port;
}

// A backend that gains XLB_BE_DOWN or XLB_BE_NO_NEW is rewritten after the
// flip, as the old bank still sends it flows (new ones through persistence).
bool gaining_restriction(const xlb_backend& old, const xlb_backend& next) {
  constexpr uint8_t kRestricting = XLB_BE_DOWN | XLB_BE_NO_NEW;
  return (next.flags & kRestricting & ~old.flags) != 0;
}

// Before the flip: new and changed backends, except those gaining a
// restriction or changing method.
Status backends_before_flip(const Maps& m, const BackendEntries& live, const BackendEntries& next) {
  for (const auto& [id, e] : next) {
    auto old = live.find(id);
    if (old != live.end() && std::memcmp(&old->second, &e, sizeof(e)) == 0) continue;
    if (old != live.end() &&
        (gaining_restriction(old->second, e) || changing_method(old->second, e)))
      continue;
    if (old == live.end()) XLB_TRY(zero_backend_stats(m, id));
    XLB_TRY(write_backend(m, id, e));
  }
  return {};
}

// After the flip: backends gone, those gaining a restriction or changing
// method.
Status backends_after_flip(const Maps& m, const BackendEntries& live, const BackendEntries& next) {
  for (const auto& [id, e] : live) {
    auto n = next.find(id);
    if (n == next.end()) {
      XLB_TRY(write_backend(m, id, xlb_backend{}));
      XLB_TRY(clear_hop(m, id));
    } else if (gaining_restriction(e, n->second) || changing_method(e, n->second)) {
      XLB_TRY(write_backend(m, id, n->second));
    }
  }
  return {};
}

Status zero_new_service_stats(const Maps& m, const Twins& twins, const Config& next) {
  for (const auto& s : next.services) {
    const Service* old = twins.service(s.name);
    if (!old || old->id != s.id) XLB_TRY(zero_service_stats(m, s.id));
  }
  return {};
}

// Tables only the old bank used: unlinking frees them. A slot whose delete
// fails stays unused, and installing a table there later replaces (frees)
// its map; the failure is still reported.
Status release_tables(const Maps& m, const Config& live, const Config& next) {
  std::set<uint32_t> kept;
  for (const auto& n : next.services) kept.insert(n.ring_slot);
  Status result;
  for (const auto& s : live.services)
    if (s.ring_slot != XLB_NO_SERVICE && !kept.count(s.ring_slot) &&
        bpf_map_delete_elem(m.rings(), &s.ring_slot) != 0 && errno != ENOENT && result)
      result = sys_error("free the Maglev table of slot " + std::to_string(s.ring_slot));
  return result;
}

Status write_bank_settings(const Maps& m, uint32_t bank, const Config& next) {
  xlb_bank settings{};
  settings.hash_seed = next.settings.seed;
  const Settings& st = next.settings;
  if (st.source4) std::memcpy(&settings.source4, st.source4->bytes.data(), 4);
  if (st.gateway4) std::memcpy(&settings.gateway4, st.gateway4->bytes.data(), 4);
  if (st.source6) settings.source6 = st.source6->to_abi();
  if (st.gateway6) settings.gateway6 = st.gateway6->to_abi();
  settings.timeout_tcp = st.timeouts.tcp;
  settings.timeout_tcp_syn = st.timeouts.tcp_syn;
  settings.timeout_udp = st.timeouts.udp;
  settings.flow_guard = st.flow_guard;
  if (bpf_map_update_elem(m.banks(), &bank, &settings, BPF_ANY) != 0)
    return sys_error("write bank settings");
  return {};
}

// The tidying after the flip: a failure leaves the intent record in place,
// and the next writer finishes the job (recovery.hpp).
Status after_flip(const Maps& m, const Config& live, const Config& next,
                  const BackendEntries& live_be, const BackendEntries& next_be) {
  XLB_TRY(wait_for_datapath(m));
  XLB_TRY(backends_after_flip(m, live_be, next_be));
  XLB_TRY(release_tables(m, live, next));
  return intent_end(m);
}

// Next hops are written before the flip: a new backend's must be there for
// its first packet. What stays unresolved does not fail the commit. No
// wait here: the command's resolution round (fill_macs) already waited
// for new next hops; those still missing are asked for, and a refresh
// round (xlb-healthd, `backend refresh`) writes them when they answer.
Status write_next_hops(const Maps& m, const Config& next, HopContext& ctx) {
  auto written = write_hops(m, next, ctx);
  if (!written) return written.error();
  for (const auto& a : ctx.missing) prime_next_hop(a);
  return {};
}

// Everything up to the flip: the new bank, and the shared state the new bank
// needs (tables, new and changed backends).
Status before_flip(const Maps& m, const Config& live, const Twins& twins, uint32_t bank,
                   Config& next, const BackendEntries& live_be, const BackendEntries& next_be) {
  XLB_TRY(build_tables(m, live, twins, next));
  HopContext hops = hop_context(m.pin_path());  // its routes and interfaces serve the NAT table too
  XLB_TRY(write_next_hops(m, next, hops));
  XLB_TRY(backends_before_flip(m, live_be, next_be));
  XLB_TRY(zero_new_service_stats(m, twins, next));
  XLB_TRY(write_bank_services(m, bank, next));
  XLB_TRY(write_bank_nat(m, bank, next, hops));
  XLB_TRY(write_bank_settings(m, bank, next));
  XLB_TRY(commit_filters(m.pin_path(), live.filters, next.filters));
  return store_write(m, bank, next);
}

}  // namespace

namespace {

// Every commit that puts a service into panic counts it: health changes
// (xlb-healthd) and admin commands alike go through here.
void count_panics(const Twins& twins, Config& next) {
  for (auto& s : next.services) {
    const Service* was = twins.service(s.name);
    if (s.in_panic() && !(was && was->in_panic())) s.panics++;
  }
}

}  // namespace

Status commit(const Maps& m, const Config& live, const xlb_ctl& ctl, Config& next,
              std::vector<std::string>& warnings, bool adopt_ids) {
  XLB_TRY(validate(next));
  const Twins twins(live);  // next's services and backends paired with live's
  count_panics(twins, next);
  XLB_TRY(check_nat_capacity(next.settings, m.caps().backends));
  XLB_TRY(check_service_map_capacity(next, m.caps()));
  XLB_TRY(assign_ids(m, live, twins, next, adopt_ids));
  const uint32_t bank = ctl.active_bank ^ 1u;
  BackendEntries live_be = backend_entries(live), next_be = backend_entries(next);
  // From here on shared state changes: a writer that dies leaves the record,
  // one that fails undoes what it wrote (the live bank is still `live`).
  XLB_TRY(intent_begin(m, ctl.generation));
  Status written = before_flip(m, live, twins, bank, next, live_be, next_be);
  if (!written) {
    (void)commit_filters(m.pin_path(), next.filters, live.filters);  // not banked: rewritten
    auto undone = recover_interrupted(m, ctl, live);
    if (!undone) warnings.push_back(undone.error().message + " (the next command retries)");
    return written;
  }
  XLB_TRY(ctl_write(m, xlb_ctl{bank, ctl.generation + 1}));
  // Committed. What follows only tidies up and never fails the command: the
  // old bank and whatever only it used are released once no packet can
  // still be reading them.
  Status tidy = after_flip(m, live, next, live_be, next_be);
  if (!tidy)
    warnings.push_back(tidy.error().message +
                       " (the change is committed; the next command finishes the cleanup)");
  return {};
}

}  // namespace xlb
