#include "state/stages.hpp"

#include <bpf/bpf.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "base/sys_error.hpp"
#include "state/stage_programs.hpp"
#include "xlb_chain.h"

namespace xlb {

namespace {

constexpr const char* kStages = "xlb_stages";
constexpr const char* kNext = "xlb_stage_next";
constexpr const char* kSlots = "xlb_stage_slots";
constexpr uint32_t kNoSlot = UINT32_MAX;
constexpr const char* kEntryName = "xlb_entry";  // bpf/entry.bpf.c

struct Fd {
  explicit Fd(int f = -1) : fd(f) {}
  Fd(Fd&& o) noexcept : fd(std::exchange(o.fd, -1)) {}
  ~Fd() {
    if (fd >= 0) close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd& operator=(Fd&&) = delete;
  int fd;
};

struct MapSpec {
  const char* name;
  bpf_map_type type;
  uint32_t max_entries;
};

// The same definitions as bpf/xlb_chain.h (libbpf reuses a pin only when
// type, sizes and max_entries agree).
constexpr MapSpec kMaps[] = {
    {kStages, BPF_MAP_TYPE_PROG_ARRAY, XLB_STAGE_SLOTS* XLB_STAGES_PER_SLOT},
    {kNext, BPF_MAP_TYPE_PERCPU_ARRAY, 1},
    {kSlots, BPF_MAP_TYPE_ARRAY, XLB_STAGE_SLOTS},
};

std::string pin_of(const std::string& pin_path, const char* name) { return pin_path + "/" + name; }

Status create_map(const std::string& pin_path, const MapSpec& m) {
  const std::string pin = pin_of(pin_path, m.name);
  if (access(pin.c_str(), F_OK) == 0) return {};
  Fd fd(bpf_map_create(m.type, m.name, sizeof(uint32_t), sizeof(uint32_t), m.max_entries, nullptr));
  if (fd.fd < 0) return sys_error(std::string("cannot create ") + m.name);
  if (bpf_obj_pin(fd.fd, pin.c_str()) != 0) return sys_error("cannot pin " + pin);
  return {};
}

// The prog array and the slots, made when `create` and missing.
struct StageMaps {
  Fd stages, slots;
};

Result<StageMaps> open_stage_maps(const std::string& pin_path, bool create) {
  if (create)
    for (const auto& m : kMaps) XLB_TRY(create_map(pin_path, m));
  StageMaps maps{Fd(bpf_obj_get(pin_of(pin_path, kStages).c_str())),
                 Fd(bpf_obj_get(pin_of(pin_path, kSlots).c_str()))};
  if (maps.stages.fd < 0 || maps.slots.fd < 0)
    return sys_error("cannot open the stage maps under " + pin_path);
  return maps;
}

uint32_t slot_ifindex(const StageMaps& m, uint32_t slot) {
  uint32_t ifindex = 0;
  if (bpf_map_lookup_elem(m.slots.fd, &slot, &ifindex) != 0) return 0;
  return ifindex;
}

uint32_t find_slot(const StageMaps& m, int ifindex) {
  for (uint32_t s = 0; s < XLB_STAGE_SLOTS; s++)
    if (slot_ifindex(m, s) == static_cast<uint32_t>(ifindex)) return s;
  return kNoSlot;
}

Result<uint32_t> allocate_slot(const StageMaps& m, int ifindex) {
  if (uint32_t s = find_slot(m, ifindex); s != kNoSlot) return s;
  uint32_t s = find_slot(m, 0);
  if (s == kNoSlot)
    return runtime_error("no stage slot left: xlb runs on at most " +
                         std::to_string(XLB_STAGE_SLOTS) + " interfaces");
  uint32_t value = static_cast<uint32_t>(ifindex);
  if (bpf_map_update_elem(m.slots.fd, &s, &value, BPF_ANY) != 0)
    return sys_error("cannot record the stage slot");
  return s;
}

uint32_t stage_index(uint32_t slot, uint32_t stage) { return slot * XLB_STAGES_PER_SLOT + stage; }

Status set_stage(const StageMaps& m, uint32_t index, int prog_fd) {
  uint32_t value = static_cast<uint32_t>(prog_fd);
  if (bpf_map_update_elem(m.stages.fd, &index, &value, BPF_ANY) == 0) return {};
  if (errno == EINVAL)  // the kernel's prog array compatibility check
    return runtime_error(std::string("cannot put a program into ") + kStages +
                         ": not an XDP program like xlb's (loaded as libbpf loads "
                         "SEC(\"xdp\"): expected attach type BPF_XDP, no XDP fragments)");
  return sys_error("cannot put a program into " + std::string(kStages));
}

void clear_stage(const StageMaps& m, uint32_t index) {
  (void)bpf_map_delete_elem(m.stages.fd, &index);
}

// The program in a stage (the kernel answers a prog array lookup with the
// program's id): its id, 0 when empty.
uint32_t stage_prog_id(const StageMaps& m, uint32_t index) {
  uint32_t id = 0;
  if (bpf_map_lookup_elem(m.stages.fd, &index, &id) != 0) return 0;
  return id;
}

// The chain, loaded before anything changes; empty when none is asked.
Result<std::optional<LoadedProgram>> requested_chain(const StageRequest& r) {
  if (!r.chain || *r.chain == "none") return std::optional<LoadedProgram>();
  auto c = load_chain_stage(r.pin_path, *r.chain);
  if (!c) return c.error();
  return std::optional<LoadedProgram>(std::move(*c));
}

// The program an interface of this slot runs: the entry when a stage
// comes before the balancer, else the balancer.
Result<LoadedProgram> front_program(const std::string& pin_path, const StageMaps& m, uint32_t slot,
                                    int balancer_fd) {
  const bool chained = stage_prog_id(m, stage_index(slot, XLB_STAGE_CHAIN)) != 0;
  const bool filtering = stage_prog_id(m, stage_index(slot, XLB_STAGE_FILTER)) != 0;
  if (chained || filtering) return load_entry_stage(pin_path, slot, chained);
  int fd = dup(balancer_fd);
  if (fd < 0) return sys_error("dup");
  return LoadedProgram(fd);
}

}  // namespace

Result<LoadedProgram> arrange_stages(const StageRequest& r) {
  auto maps = open_stage_maps(r.pin_path, true);
  if (!maps) return maps.error();
  auto slot = allocate_slot(*maps, r.ifindex);
  if (!slot) return slot.error();
  auto chain = requested_chain(r);
  if (!chain) return chain.error();
  std::optional<LoadedProgram> filter;
  if (r.filtering) {
    auto f = load_filter_stage(r.pin_path, *slot);
    if (!f) return f.error();
    filter.emplace(std::move(*f));
  }
  // Balancer first: a stage before it that is not there yet falls through
  // to it, so the interface never sees a half-made pipeline.
  XLB_TRY(set_stage(*maps, stage_index(*slot, XLB_STAGE_BALANCER), r.balancer_fd));
  if (filter) XLB_TRY(set_stage(*maps, stage_index(*slot, XLB_STAGE_FILTER), filter->fd()));
  if (!filter) clear_stage(*maps, stage_index(*slot, XLB_STAGE_FILTER));
  if (*chain) XLB_TRY(set_stage(*maps, stage_index(*slot, XLB_STAGE_CHAIN), (*chain)->fd()));
  if (r.chain && *r.chain == "none") clear_stage(*maps, stage_index(*slot, XLB_STAGE_CHAIN));
  return front_program(r.pin_path, *maps, *slot, r.balancer_fd);
}

namespace {

struct LinkProg {
  Fd link;
  uint32_t prog_id = 0;
};

std::optional<LinkProg> interface_link(const std::string& pin_path, uint32_t ifindex) {
  LinkProg l{Fd(bpf_obj_get((pin_path + "/link_" + std::to_string(ifindex)).c_str()))};
  if (l.link.fd < 0) return std::nullopt;
  bpf_link_info info{};
  uint32_t len = sizeof(info);
  if (bpf_obj_get_info_by_fd(l.link.fd, &info, &len) != 0) return std::nullopt;
  l.prog_id = info.prog_id;
  return l;
}

// The name of a program by id ("" when it is gone).
std::string prog_name(uint32_t id) {
  Fd prog(bpf_prog_get_fd_by_id(id));
  bpf_prog_info info{};
  uint32_t len = sizeof(info);
  if (prog.fd < 0 || bpf_obj_get_info_by_fd(prog.fd, &info, &len) != 0) return "";
  return info.name;
}

uint32_t id_of(int fd) {
  bpf_prog_info info{};
  uint32_t len = sizeof(info);
  return bpf_obj_get_info_by_fd(fd, &info, &len) == 0 ? info.id : 0;
}

// The interface of `slot` switched by bpf_link_update (atomic, no detach)
// to the program its stages need, unless it runs that kind already: the
// entry (any instance of this slot), or the balancer of the slot. An
// interface not attached, as in the datapath tests, has no link.
Status point_link(const std::string& pin_path, const StageMaps& m, uint32_t slot) {
  auto link = interface_link(pin_path, slot_ifindex(m, slot));
  const uint32_t balancer = stage_prog_id(m, stage_index(slot, XLB_STAGE_BALANCER));
  if (!link || !balancer) return {};
  Fd balancer_fd(bpf_prog_get_fd_by_id(balancer));
  if (balancer_fd.fd < 0) return sys_error("cannot open the balancer program");
  auto front = front_program(pin_path, m, slot, balancer_fd.fd);
  if (!front) return front.error();
  const bool wants_entry = id_of(front->fd()) != balancer;
  if (wants_entry ? prog_name(link->prog_id) == kEntryName : link->prog_id == balancer) return {};
  if (bpf_link_update(link->link.fd, front->fd(), nullptr) != 0)
    return sys_error("cannot switch the program of ifindex " +
                     std::to_string(slot_ifindex(m, slot)));
  return {};
}

}  // namespace

Status sync_filter_stage(const std::string& pin_path, bool filtering) {
  auto maps = open_stage_maps(pin_path, filtering);
  if (!maps) return filtering ? Status(maps.error()) : Status();
  for (uint32_t slot = 0; slot < XLB_STAGE_SLOTS; slot++) {
    if (!slot_ifindex(*maps, slot)) continue;
    const uint32_t index = stage_index(slot, XLB_STAGE_FILTER);
    if (filtering && !stage_prog_id(*maps, index)) {
      auto f = load_filter_stage(pin_path, slot);
      if (!f) return f.error();
      XLB_TRY(set_stage(*maps, index, f->fd()));
    }
    if (!filtering) clear_stage(*maps, index);
    XLB_TRY(point_link(pin_path, *maps, slot));
  }
  return {};
}

Status swap_balancer(const std::string& pin_path, int ifindex, int balancer_fd) {
  auto maps = open_stage_maps(pin_path, true);
  if (!maps) return maps.error();
  auto slot = allocate_slot(*maps, ifindex);
  if (!slot) return slot.error();
  XLB_TRY(set_stage(*maps, stage_index(*slot, XLB_STAGE_BALANCER), balancer_fd));
  return point_link(pin_path, *maps, *slot);
}

int balancer_program(const std::string& pin_path, int ifindex) {
  auto maps = open_stage_maps(pin_path, false);
  if (!maps) return -1;
  uint32_t slot = find_slot(*maps, ifindex);
  if (slot == kNoSlot) return -1;
  uint32_t id = stage_prog_id(*maps, stage_index(slot, XLB_STAGE_BALANCER));
  return id == 0 ? -1 : bpf_prog_get_fd_by_id(id);
}

void release_stages(const std::string& pin_path, int ifindex) {
  auto maps = open_stage_maps(pin_path, false);
  if (!maps) return;
  uint32_t slot = find_slot(*maps, ifindex);
  if (slot == kNoSlot) return;
  for (uint32_t stage = 0; stage < XLB_STAGES_PER_SLOT; stage++)
    clear_stage(*maps, stage_index(slot, stage));
  uint32_t free = 0;
  (void)bpf_map_update_elem(maps->slots.fd, &slot, &free, BPF_ANY);
}

std::string chain_name(const std::string& pin_path, int ifindex) {
  auto maps = open_stage_maps(pin_path, false);
  if (!maps) return "";
  uint32_t slot = find_slot(*maps, ifindex);
  if (slot == kNoSlot) return "";
  Fd prog(bpf_prog_get_fd_by_id(stage_prog_id(*maps, stage_index(slot, XLB_STAGE_CHAIN))));
  bpf_prog_info info{};
  uint32_t len = sizeof(info);
  if (prog.fd < 0 || bpf_obj_get_info_by_fd(prog.fd, &info, &len) != 0) return "";
  return info.name;
}

}  // namespace xlb
