// The pin directory on bpffs: making sure it exists, and the writer lock.
#pragma once

#include <string>

#include "base/result.hpp"

namespace xlb {

constexpr const char* kDefaultPinPath = "/sys/fs/bpf/xlb";

// Makes sure pin_path's parent is a bpffs (mounting one on /sys/fs/bpf when
// nothing is mounted there) and that pin_path exists.
Status ensure_pin_dir(const std::string& pin_path);

// True when `dir` is on a bpffs.
bool is_bpffs(const std::string& dir);

// An exclusive flock on the pin directory, released on destruction. Writers
// take it; readers never do.
class PinLock {
 public:
  static Result<PinLock> acquire(const std::string& pin_path);
  PinLock(PinLock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  PinLock& operator=(PinLock&&) = delete;
  PinLock(const PinLock&) = delete;
  ~PinLock();

 private:
  explicit PinLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace xlb
