#include "state/maps.hpp"

#include <bpf/bpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "base/sys_error.hpp"
#include "state/bpffs.hpp"

namespace xlb {

const char* const Maps::kNames[Maps::kCount] = {
    "xlb_ctl",      "xlb_banks",     "xlb_svcs",         "xlb_rings",      "xlb_backends",
    "xlb_flows",    "xlb_svc_stats", "xlb_be_stats",     "xlb_global",     "xlb_store",
    "xlb_grace",    "xlb_nat",       "xlb_hc_cfg",       "xlb_hc_replies", "xlb_nexthops",
    "xlb_tx_ports", "xlb_persist",   "xlb_vip_prefixes", "xlb_vip_cover"};

namespace {

uint32_t max_entries(int fd) {
  bpf_map_info info{};
  uint32_t len = sizeof(info);
  return bpf_obj_get_info_by_fd(fd, &info, &len) == 0 ? info.max_entries : 0;
}

Error open_error(const std::string& pin_path, const std::string& file, int err) {
  if (err == EPERM || err == EACCES)
    return runtime_error("permission denied opening " + file + ": xlb needs root");
  if (err == ENOENT && !is_bpffs(pin_path))
    return runtime_error("no xlb state at " + pin_path +
                         ": nothing attached yet (run `xlb interface attach DEV`), or bpffs "
                         "is not mounted");
  if (err == ENOENT)
    return runtime_error("no xlb state at " + pin_path + " (missing " + file +
                         "): run `xlb interface attach DEV` first");
  return sys_error("cannot open " + file, err);
}

uint64_t memlock(int fd) {
  std::ifstream in("/proc/self/fdinfo/" + std::to_string(fd));
  std::string key;
  uint64_t value = 0;
  while (in >> key) {
    if (key == "memlock:" && in >> value) return value;
  }
  return 0;
}

uint64_t tables_memory(int rings_fd) {
  uint64_t sum = 0;
  uint32_t key = 0, next = 0;
  const void* prev = nullptr;
  while (bpf_map_get_next_key(rings_fd, prev, &next) == 0) {
    key = next;
    prev = &key;
    uint32_t id = 0;
    if (bpf_map_lookup_elem(rings_fd, &key, &id) != 0) continue;
    int fd = bpf_map_get_fd_by_id(id);
    if (fd < 0) continue;
    sum += memlock(fd);
    close(fd);
  }
  return sum;
}

}  // namespace

uint64_t Maps::memory_bytes() const {
  uint64_t sum = 0;
  for (int fd : fd_) sum += memlock(fd);
  return sum + tables_memory(rings());
}

Result<Maps> Maps::open(const std::string& pin_path) {
  Maps m;
  m.pin_path_ = pin_path;
  for (int i = 0; i < kCount; i++) {
    std::string file = pin_path + "/" + kNames[i];
    m.fd_[i] = bpf_obj_get(file.c_str());
    if (m.fd_[i] < 0) return open_error(pin_path, file, errno);
  }
  m.caps_.services = max_entries(m.svc_stats());
  m.caps_.backends = max_entries(m.backends());
  m.caps_.flows = max_entries(m.flows());
  return m;
}

Maps::Maps(Maps&& o) noexcept : caps_(o.caps_), pin_path_(std::move(o.pin_path_)) {
  for (int i = 0; i < kCount; i++) fd_[i] = o.fd_[i], o.fd_[i] = -1;
}

Maps& Maps::operator=(Maps&& o) noexcept {
  if (this == &o) return *this;
  for (int i = 0; i < kCount; i++) {
    if (fd_[i] >= 0) close(fd_[i]);
    fd_[i] = o.fd_[i];
    o.fd_[i] = -1;
  }
  caps_ = o.caps_;
  pin_path_ = std::move(o.pin_path_);
  return *this;
}

Maps::~Maps() {
  for (int fd : fd_)
    if (fd >= 0) close(fd);
}

}  // namespace xlb
