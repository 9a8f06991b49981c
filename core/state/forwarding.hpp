// Tunnel forwarding finds its next hop with bpf_fib_lookup(), which answers
// as the kernel's forwarding path does: only on interfaces that forward IP
// (net.ipv4.conf.DEV.forwarding, net.ipv6.conf.DEV.forwarding). Without it,
// every packet of a tunnel service is dropped (drop_fwd_disabled). xlb does
// not change the host's sysctls itself; it says what is missing.
#pragma once

#include <string>
#include <vector>

#include "model/model.hpp"
#include "state/attach.hpp"

namespace xlb {

// One message per (interface, family) that tunnel services of c need and
// that does not forward: what to run to fix it.
std::vector<std::string> forwarding_problems(const Config& c, const std::vector<Attachment>& att);

}  // namespace xlb
