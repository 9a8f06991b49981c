#include "maps.hpp"

#include <bpf/bpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "bpffs.hpp"

namespace xlb {

const char* const Maps::kNames[Maps::kCount] = {
    "xlb_ctl",       "xlb_banks",    "xlb_svcs",   "xlb_rings", "xlb_backends",
    "xlb_flows",     "xlb_svc_stats", "xlb_be_stats", "xlb_global", "xlb_store"};

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
    return runtime_error("no xlb state at " + pin_path +
                         " (missing " + file + "): run `xlb interface attach DEV` first");
  return runtime_error("cannot open " + file + ": " + std::strerror(err));
}

}  // namespace

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
