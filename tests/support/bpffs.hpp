// A private bpffs for one test: its pins are invisible to every other test
// and to a real xlb on this machine, and vanish when the test ends.
#pragma once

#include <string>

namespace xlb::test {

bool running_as_root();

class PrivateBpffs {
 public:
  // Creates a directory under /tmp and mounts a fresh bpffs on it. On
  // failure ok() is false and error() says why.
  PrivateBpffs();
  ~PrivateBpffs();
  PrivateBpffs(const PrivateBpffs&) = delete;
  PrivateBpffs& operator=(const PrivateBpffs&) = delete;

  bool ok() const { return mounted_; }
  const std::string& path() const { return dir_; }
  const std::string& error() const { return error_; }

 private:
  std::string dir_;
  std::string error_;
  bool mounted_ = false;
};

}  // namespace xlb::test
