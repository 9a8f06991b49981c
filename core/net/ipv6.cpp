#include "net/ipv6.hpp"

#include <fstream>

namespace xlb {

namespace {

// "1" in conf/NAME/disable_ipv6; a missing file says nothing.
bool disabled(const std::string& name) {
  std::ifstream in("/proc/sys/net/ipv6/conf/" + name + "/disable_ipv6");
  std::string v;
  return in >> v && v == "1";
}

}  // namespace

bool ipv6_enabled(const std::string& dev) {
  if (!std::ifstream("/proc/sys/net/ipv6/conf/all/disable_ipv6")) return false;  // ipv6.disable=1
  if (disabled("all")) return false;
  return dev.empty() ? !disabled("default") : !disabled(dev);
}

}  // namespace xlb
