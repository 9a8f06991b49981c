// A network namespace of the test's own, entered by the calling thread: the
// kernel then runs BPF_PROG_TEST_RUN's FIB lookups against its devices,
// routes and neighbours. Left and deleted on destruction.
#pragma once

#include <string>
#include <vector>

namespace xlb::test {

class TestNetns {
 public:
  TestNetns();  // creates "xlbt-PID-N" and enters it
  ~TestNetns();
  TestNetns(const TestNetns&) = delete;
  TestNetns& operator=(const TestNetns&) = delete;

  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }
  const std::string& name() const { return name_; }
  // Runs `ip -n NAME ARGS...`; false (and error()) when it fails.
  bool ip(const std::string& args);
  // Writes a sysctl of this namespace (the thread is in it).
  bool sysctl(const std::string& path, const std::string& value);
  // The ifindex of a device of this namespace, 0 if none.
  unsigned ifindex(const std::string& dev) const;

 private:
  std::string name_;
  std::string error_;
  int home_fd_ = -1;
  bool created_ = false;  // only a namespace this object made is deleted
  bool ok_ = false;
};

}  // namespace xlb::test
