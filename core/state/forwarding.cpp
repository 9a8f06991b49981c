#include "state/forwarding.hpp"

#include <fstream>
#include <set>

namespace xlb {

namespace {

// The outer families tunnel services send: their backends' families.
std::set<int> tunnel_families(const Config& c) {
  std::set<int> out;
  for (const auto& s : c.services)
    if (is_tunnel(s.forward))
      for (const auto& b : s.backends) out.insert(b.addr.family);
  return out;
}

// The sysctl's value in this network namespace; true when unreadable, so a
// host without /proc/sys is not warned about.
bool forwards(const std::string& dev, int family) {
  std::string ip = family == XLB_AF_INET6 ? "ipv6" : "ipv4";
  std::ifstream in("/proc/sys/net/" + ip + "/conf/" + dev + "/forwarding");
  int v = 1;
  return !(in >> v) || v != 0;
}

}  // namespace

std::vector<std::string> forwarding_problems(const Config& c, const std::vector<Attachment>& att) {
  std::vector<std::string> out;
  for (int family : tunnel_families(c)) {
    std::string ip = family == XLB_AF_INET6 ? "ipv6" : "ipv4";
    for (const auto& a : att) {
      // Another namespace's sysctls cannot be read from here.
      if (a.dev.empty() || a.other_netns || forwards(a.dev, family)) continue;
      out.push_back(
          "tunnel services send " + std::string(family == XLB_AF_INET6 ? "IPv6" : "IPv4") +
          " but " + a.dev + " does not forward it, so they are dropped " +
          "(drop_fwd_disabled): sysctl -w net." + ip + ".conf." + a.dev + ".forwarding=1");
    }
  }
  return out;
}

}  // namespace xlb
