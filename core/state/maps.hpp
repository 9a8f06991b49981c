// The pinned maps, opened by path. Every xlb command opens these, does its
// work and closes them; the datapath never depends on a running process.
#pragma once

#include <cstdint>
#include <string>

#include "base/result.hpp"
#include "state/loader.hpp"

namespace xlb {

class Maps {
 public:
  // Opens every map pinned under pin_path. Fails with a message that says
  // what to do when nothing is there (no bpffs, nothing attached yet).
  static Result<Maps> open(const std::string& pin_path);

  Maps(Maps&&) noexcept;
  Maps& operator=(Maps&&) noexcept;
  Maps(const Maps&) = delete;
  Maps& operator=(const Maps&) = delete;
  ~Maps();

  int ctl() const { return fd_[0]; }
  int banks() const { return fd_[1]; }
  int svcs() const { return fd_[2]; }
  int rings() const { return fd_[3]; }
  int backends() const { return fd_[4]; }
  int flows() const { return fd_[5]; }
  int svc_stats() const { return fd_[6]; }
  int be_stats() const { return fd_[7]; }
  int global() const { return fd_[8]; }
  int store() const { return fd_[9]; }
  int grace() const { return fd_[10]; }
  int nat() const { return fd_[11]; }
  int hc_cfg() const { return fd_[12]; }
  int hc_replies() const { return fd_[13]; }
  int nexthops() const { return fd_[14]; }
  int tx_ports() const { return fd_[15]; }
  int persist() const { return fd_[16]; }
  int vip_prefixes() const { return fd_[17]; }
  int vip_cover() const { return fd_[18]; }
  const Capacities& caps() const { return caps_; }
  const std::string& pin_path() const { return pin_path_; }
  // Kernel memory charged to the maps (fdinfo memlock), Maglev tables included.
  uint64_t memory_bytes() const;

  static constexpr int kCount = 19;
  static const char* const kNames[kCount];

 private:
  Maps() = default;
  int fd_[kCount] = {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1};
  Capacities caps_;
  std::string pin_path_;
};

}  // namespace xlb
