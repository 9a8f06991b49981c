// Whether this host (network namespace) runs IPv6: hosts booted with
// ipv6.disable=1 have no /proc/sys/net/ipv6 at all, and disable_ipv6=1
// (all, default or per interface) refuses every IPv6 address. xlb then
// leaves IPv6 out (the health-check port's IPv6 range, ...) with a note.
#pragma once

#include <string>

namespace xlb {

// IPv6 on the host, and on `dev` when one is named.
bool ipv6_enabled(const std::string& dev = "");

}  // namespace xlb
