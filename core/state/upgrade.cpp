#include "state/upgrade.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <span>
#include <vector>

#include "base/sys_error.hpp"
#include "net/netlink.hpp"
#include "state/attach.hpp"
#include "state/bpffs.hpp"
#include "state/hc_port.hpp"
#include "state/hop_table.hpp"
#include "state/layout.hpp"
#include "state/loader.hpp"
#include "state/state.hpp"
#include "state/store.hpp"

namespace xlb {

namespace {

using Bytes = std::vector<uint8_t>;

// ------------------------------------------------------------ the steps

Bytes flow_2_to_3(std::span<const uint8_t> v) {
  xlb_flow_v2 old{};
  std::memcpy(&old, v.data(), sizeof(old));
  const xlb_flow f = xlb_flow_from_v2(&old);
  const auto* p = reinterpret_cast<const uint8_t*>(&f);
  return Bytes(p, p + sizeof(f));
}

// Layout 4 changed xlb_nat (rebuilt from the model) and grew xlb_global
// (carried by index): flow entries are the same. Layout 5 (flow sync) added
// maps and turned padding of xlb_flow into `exported` (0: export soon).
// Layout 6 made xlb_flows one LRU for all CPUs (no BPF_F_NO_COMMON_LRU):
// the entries are the same, copied into the new map; xlb_svc grew (the
// services are rebuilt from the model). Layout 7 added xlb_persist (carried
// over from 7 on, see carry_persist) and grew xlb_svc; layout 8 added
// xlb_vip_prefixes and xlb_vip_cover (prefix VIPs), written from the model,
// and made the Maglev tables mmapable (rebuilt from the model); layout 9
// grew xlb_vip_cover by the exact VIPs' bitmap (written from the model).
Bytes flow_same(std::span<const uint8_t> v) { return Bytes(v.begin(), v.end()); }

// One layout bump: how a flow entry of layout `from` becomes one of layout
// from + 1, and the pins layout from + 1 no longer has. Every other map is
// rebuilt from the model, or (counters) keeps its entries' size and indices.
struct Step {
  uint32_t from;
  uint32_t flow_size;  // bytes of a flow entry of layout `from`
  Bytes (*flow)(std::span<const uint8_t>);
  const char* retired[4];
};

constexpr Step kSteps[] = {
    {2, sizeof(xlb_flow_v2), flow_2_to_3, {}}, {3, sizeof(xlb_flow), flow_same, {}},
    {4, sizeof(xlb_flow), flow_same, {}},      {5, sizeof(xlb_flow), flow_same, {}},
    {6, sizeof(xlb_flow), flow_same, {}},      {7, sizeof(xlb_flow), flow_same, {}},
    {8, sizeof(xlb_flow), flow_same, {}},
};
constexpr uint32_t kOldestUpgradable = kSteps[0].from;
static_assert(std::size(kSteps) == XLB_ABI_VERSION - kOldestUpgradable,
              "a layout bump needs its step in kSteps");

// A flow entry of layout `from` as one of this layout; none when a step
// does not know its size.
std::optional<Bytes> convert_flow(uint32_t from, Bytes v) {
  for (const Step& s : kSteps) {
    if (s.from < from) continue;
    if (v.size() != s.flow_size) return std::nullopt;
    v = s.flow(v);
  }
  return v;
}

// ------------------------------------------------------------ map access

struct Fd {
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int fd;
};

std::string pin(const std::string& dir, const char* name) { return dir + "/" + name; }

bpf_map_info map_info(int fd) {
  bpf_map_info info{};
  uint32_t len = sizeof(info);
  if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len) != 0) return bpf_map_info{};
  return info;
}

uint32_t pinned_max_entries(const std::string& dir, const char* name) {
  Fd f(bpf_obj_get(pin(dir, name).c_str()));
  return map_info(f.fd).max_entries;
}

// Every entry of a hash map, bounded: the old program still adds and
// evicts entries while the walk runs.
template <typename Fn>
void walk_entries(int fd, const bpf_map_info& info, Fn&& each) {
  Bytes key(info.key_size), next(info.key_size), val(info.value_size);
  const void* prev = nullptr;
  for (uint64_t n = 0; n < 2ull * info.max_entries + 16; n++) {
    if (bpf_map_get_next_key(fd, prev, next.data()) != 0) break;
    key = next;
    prev = key.data();
    if (bpf_map_lookup_elem(fd, key.data(), val.data()) == 0) each(key, val);
  }
}

// Copies the old entries the new map does not have yet (a second pass
// takes only those created since the first).
void carry_flows(int old_fd, int new_fd, uint32_t from, UpgradeReport& r) {
  const bpf_map_info info = map_info(old_fd);
  if (info.key_size != sizeof(xlb_flow_key)) return;
  walk_entries(old_fd, info, [&](const Bytes& key, const Bytes& val) {
    auto v = convert_flow(from, val);
    if (!v) {
      r.flows_dropped++;
      return;
    }
    if (bpf_map_update_elem(new_fd, key.data(), v->data(), BPF_NOEXIST) == 0) r.flows_carried++;
  });
}

// Persistence entries (layout 7 on) are the same in every later layout:
// copied as they are, those the new map already has kept.
void carry_persist(int old_fd, int new_fd, UpgradeReport& r) {
  const bpf_map_info a = map_info(old_fd), b = map_info(new_fd);
  if (a.key_size != sizeof(xlb_persist_key) || a.value_size != sizeof(xlb_persist) ||
      b.value_size != a.value_size)
    return;
  walk_entries(old_fd, a, [&](const Bytes& key, const Bytes& val) {
    if (bpf_map_update_elem(new_fd, key.data(), val.data(), BPF_NOEXIST) == 0) r.persist_carried++;
  });
}

// Per-CPU counter arrays: entries of the same size keep their indices
// (counters are only ever added at the end).
void carry_counters(const std::string& old_dir, const std::string& new_dir, const char* name) {
  Fd from(bpf_obj_get(pin(old_dir, name).c_str())), to(bpf_obj_get(pin(new_dir, name).c_str()));
  const bpf_map_info a = map_info(from.fd), b = map_info(to.fd);
  if (a.value_size == 0 || a.value_size != b.value_size) return;
  const int ncpu = libbpf_num_possible_cpus();
  if (ncpu <= 0) return;
  Bytes val(size_t((a.value_size + 7) / 8 * 8) * ncpu);
  for (uint32_t i = 0; i < std::min(a.max_entries, b.max_entries); i++) {
    if (bpf_map_lookup_elem(from.fd, &i, val.data()) == 0)
      (void)bpf_map_update_elem(to.fd, &i, val.data(), BPF_ANY);
  }
}

// ------------------------------------------------------------ directories

Result<std::vector<std::string>> dir_entries(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = opendir(dir.c_str());
  if (!d && errno == ENOENT) return out;
  if (!d) return sys_error("cannot read " + dir);
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") out.push_back(name);
  }
  closedir(d);
  return out;
}

// Removes what an interrupted upgrade left (the maps live on while a
// program still uses them).
Status remove_dir(const std::string& dir) {
  auto names = dir_entries(dir);
  if (!names) return names.error();
  for (const auto& n : *names)
    if (unlink(pin(dir, n.c_str()).c_str()) != 0)
      return sys_error("cannot remove " + pin(dir, n.c_str()));
  if (rmdir(dir.c_str()) != 0 && errno != ENOENT) return sys_error("cannot remove " + dir);
  return {};
}

// The new maps take the old pins' names; the store last, since its layout
// field is what says the pins are upgraded.
Status replace_pins(const std::string& staging, const std::string& pin_path, uint32_t from) {
  auto names = dir_entries(staging);
  if (!names) return names.error();
  std::stable_partition(names->begin(), names->end(),
                        [](const std::string& n) { return n != "xlb_store"; });
  for (const auto& n : *names) {
    const std::string to = pin(pin_path, n.c_str());
    if (rename(pin(staging, n.c_str()).c_str(), to.c_str()) != 0)
      return sys_error("cannot replace " + to);
  }
  for (const Step& s : kSteps) {
    if (s.from < from) continue;
    for (const char* r : s.retired)
      if (r) (void)unlink(pin(pin_path, r).c_str());
  }
  if (rmdir(staging.c_str()) != 0) return sys_error("cannot remove " + staging);
  return {};
}

// ------------------------------------------------------------ the upgrade

struct Upgrade {
  std::string pin_path;
  std::string staging;
  uint32_t from = 0;
  Config model;
  Capacities caps;
  std::vector<Attachment> links;
  std::vector<LoadedProgram> progs;  // one per link, with its interface's MAC
  UpgradeReport report;
};

Status read_old(Upgrade& u) {
  Fd ctl(bpf_obj_get(pin(u.pin_path, "xlb_ctl").c_str()));
  Fd store(bpf_obj_get(pin(u.pin_path, "xlb_store").c_str()));
  if (ctl.fd < 0 || store.fd < 0) return sys_error("cannot open the pins at " + u.pin_path);
  uint32_t zero = 0;
  xlb_ctl word{};
  if (bpf_map_lookup_elem(ctl.fd, &zero, &word) != 0) return sys_error("read control word");
  auto model = store_read_fd(store.fd, word.active_bank);
  if (!model) return model.error();
  u.model = std::move(*model);
  u.caps.services = pinned_max_entries(u.pin_path, "xlb_svc_stats");
  u.caps.backends = pinned_max_entries(u.pin_path, "xlb_backends");
  u.caps.flows = pinned_max_entries(u.pin_path, "xlb_flows");
  auto links = list_attachments(u.pin_path);
  if (!links) return links.error();
  u.links = std::move(*links);
  return {};
}

// Fresh maps of this layout in the staging directory, the model committed
// into them, and a program instance per attached interface.
Status build_staging(Upgrade& u) {
  XLB_TRY(remove_dir(u.staging));
  for (const auto& a : u.links) {
    auto link = link_by_index(a.ifindex);
    auto prog = load_datapath({u.staging, u.caps, link ? link->mac : MacAddr{}});
    if (!prog) return prog.error();
    u.progs.push_back(std::move(*prog));
  }
  if (u.links.empty()) {
    auto prog = load_datapath({u.staging, u.caps, MacAddr{}});
    if (!prog) return prog.error();
  }
  auto st = State::open(u.staging);
  if (!st) return st.error();
  XLB_TRY(st->adopt(u.model));
  for (const auto& a : u.links) XLB_TRY(add_tx_port(st->maps(), a.ifindex));
  return {};
}

void carry_all_flows(Upgrade& u) {
  Fd from(bpf_obj_get(pin(u.pin_path, "xlb_flows").c_str()));
  Fd to(bpf_obj_get(pin(u.staging, "xlb_flows").c_str()));
  if (from.fd >= 0 && to.fd >= 0) carry_flows(from.fd, to.fd, u.from, u.report);
  if (u.from < 7) return;  // no persistence table before layout 7
  Fd pfrom(bpf_obj_get(pin(u.pin_path, "xlb_persist").c_str()));
  Fd pto(bpf_obj_get(pin(u.staging, "xlb_persist").c_str()));
  if (pfrom.fd >= 0 && pto.fd >= 0) carry_persist(pfrom.fd, pto.fd, u.report);
}

Status swap_programs(Upgrade& u) {
  for (size_t i = 0; i < u.links.size(); i++) {
    const auto& a = u.links[i];
    XLB_TRY(swap_balancer(u.pin_path, a.ifindex, u.progs[i].fd()));
    u.report.links++;
  }
  return {};
}

Status run(Upgrade& u) {
  XLB_TRY(read_old(u));
  Status built = build_staging(u);
  if (!built) {
    (void)remove_dir(u.staging);
    return built;
  }
  carry_all_flows(u);
  for (const char* c : {"xlb_svc_stats", "xlb_be_stats", "xlb_global"})
    carry_counters(u.pin_path, u.staging, c);
  XLB_TRY(swap_programs(u));
  carry_all_flows(u);  // those the old program made during the swap
  XLB_TRY(replace_pins(u.staging, u.pin_path, u.from));
  return {};
}

}  // namespace

Result<UpgradeReport> upgrade_layout(const std::string& pin_path) {
  auto layout = pinned_layout(pin_path);
  if (!layout) return layout.error();
  if (*layout > XLB_ABI_VERSION) return newer_layout_error(pin_path, *layout);
  if (*layout == 0 || *layout == XLB_ABI_VERSION) return UpgradeReport{};
  auto lock = PinLock::acquire(pin_path);
  if (!lock) return lock.error();
  layout = pinned_layout(pin_path);  // another writer may have upgraded them meanwhile
  if (!layout) return layout.error();
  if (*layout == XLB_ABI_VERSION) return UpgradeReport{};
  if (*layout > XLB_ABI_VERSION) return newer_layout_error(pin_path, *layout);
  if (*layout < kOldestUpgradable)
    return runtime_error("the pins at " + pin_path + " are layout " + std::to_string(*layout) +
                         ", too old to upgrade in place: detach every interface and attach again");
  Upgrade u;
  u.pin_path = pin_path;
  u.staging = pin_path + "/upgrading";  // bpffs refuses names with dots
  u.from = *layout;
  XLB_TRY(run(u));
  u.report.from = u.from;
  u.report.to = XLB_ABI_VERSION;
  // The health-check port's programs follow the datapath's maps (a port
  // that does not exist is made by the next attach, as always).
  if (hc_port_exists()) XLB_TRY(hc_port_setup(pin_path, u.model.settings));
  return u.report;
}

std::string describe(const UpgradeReport& r) {
  std::string s = "upgraded the pinned maps from layout " + std::to_string(r.from) + " to " +
                  std::to_string(r.to) + " in place: " + std::to_string(r.flows_carried) +
                  " flow entries carried over, " + std::to_string(r.links) +
                  " interface program(s) replaced";
  if (r.persist_carried)
    s += ", " + std::to_string(r.persist_carried) + " persistence entries carried over";
  if (r.flows_dropped) s += ", " + std::to_string(r.flows_dropped) + " flow entries dropped";
  return s;
}

}  // namespace xlb
