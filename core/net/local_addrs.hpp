// This network namespace's own addresses, over rtnetlink (libnl): what
// xlb-decap accepts as a tunnel's outer destination.
#pragma once

#include <vector>

#include "base/addr.hpp"
#include "base/result.hpp"

namespace xlb {

// Every IPv4 and IPv6 address of every interface, except host-scoped ones
// (127.0.0.0/8, ::1): sorted, without duplicates.
Result<std::vector<IpAddr>> local_addresses();

}  // namespace xlb
