#include "bpffs.hpp"

#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace xlb::test {

bool running_as_root() { return geteuid() == 0; }

PrivateBpffs::PrivateBpffs() {
  char tmpl[] = "/tmp/xlb-test-bpffs-XXXXXX";
  if (!mkdtemp(tmpl)) {
    error_ = std::string("mkdtemp: ") + std::strerror(errno);
    return;
  }
  dir_ = tmpl;
  if (mount("bpf", dir_.c_str(), "bpf", 0, nullptr) != 0) {
    error_ = "mount bpffs on " + dir_ + ": " + std::strerror(errno);
    return;
  }
  mounted_ = true;
}

PrivateBpffs::~PrivateBpffs() {
  // Lazy unmount: a pin still open somewhere must not leave the mount behind.
  if (mounted_ && umount(dir_.c_str()) != 0) umount2(dir_.c_str(), MNT_DETACH);
  if (!dir_.empty()) rmdir(dir_.c_str());
}

}  // namespace xlb::test
