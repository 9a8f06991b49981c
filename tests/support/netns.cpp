#include "netns.hpp"

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <random>

namespace xlb::test {

namespace {

std::atomic<int> counter{0};

bool run(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()) == 0; }

}  // namespace

// PIDs are reused: a namespace a killed test process left behind must not
// collide with a later process's, hence the random part.
TestNetns::TestNetns() {
  name_ = "xlbt-" + std::to_string(getpid()) + "-" + std::to_string(counter++) + "-" +
          std::to_string(std::random_device{}() % 1000000);
  home_fd_ = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (home_fd_ < 0 || !run("ip netns add " + name_)) {
    error_ = "cannot create network namespace " + name_;
    return;
  }
  created_ = true;
  int fd = open(("/run/netns/" + name_).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) {
    error_ = "cannot enter network namespace " + name_;
    if (fd >= 0) close(fd);
    return;
  }
  close(fd);
  ok_ = ip("link set lo up");
}

TestNetns::~TestNetns() {
  if (home_fd_ >= 0) {
    setns(home_fd_, CLONE_NEWNET);
    close(home_fd_);
  }
  if (created_) run("ip netns del " + name_);
}

bool TestNetns::ip(const std::string& args) {
  if (run("ip -n " + name_ + " " + args)) return true;
  error_ = "ip -n " + name_ + " " + args + ": failed";
  return false;
}

bool TestNetns::sysctl(const std::string& path, const std::string& value) {
  std::ofstream f("/proc/sys/" + path);
  f << value;
  f.flush();
  if (f) return true;
  error_ = "sysctl " + path + "=" + value + ": failed";
  return false;
}

unsigned TestNetns::ifindex(const std::string& dev) const { return if_nametoindex(dev.c_str()); }

}  // namespace xlb::test
