#include "state/bpffs.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "base/sys_error.hpp"

namespace xlb {

bool is_bpffs(const std::string& dir) {
  struct statfs st {};
  return statfs(dir.c_str(), &st) == 0 && st.f_type == BPF_FS_MAGIC;
}

namespace {

Status mount_default_bpffs(const std::string& parent) {
  if (parent != "/sys/fs/bpf")
    return runtime_error(parent + " is not a bpffs; mount one with: mount -t bpf bpf " + parent);
  if (mount("bpf", parent.c_str(), "bpf", 0, nullptr) != 0)
    return runtime_error("cannot mount bpffs on " + parent + ": " + std::strerror(errno) +
                         (errno == EPERM ? " (xlb needs root)" : ""));
  return {};
}

}  // namespace

Status ensure_pin_dir(const std::string& pin_path) {
  std::filesystem::path p(pin_path);
  std::string parent = p.parent_path().string();
  if (parent.empty()) parent = ".";
  if (!is_bpffs(parent) && !is_bpffs(pin_path)) XLB_TRY(mount_default_bpffs(parent));
  if (mkdir(pin_path.c_str(), 0700) != 0 && errno != EEXIST)
    return sys_error("cannot create " + pin_path);
  return {};
}

Result<PinLock> PinLock::acquire(const std::string& pin_path) {
  int fd = open(pin_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return sys_error("cannot open " + pin_path);
  if (flock(fd, LOCK_EX) != 0) {
    int e = errno;
    close(fd);
    return sys_error("cannot lock " + pin_path, e);
  }
  return PinLock(fd);
}

PinLock::~PinLock() {
  if (fd_ >= 0) close(fd_);
}

}  // namespace xlb
