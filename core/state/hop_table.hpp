// The next-hop table (xlb_nexthops, see bpf/xlb_abi.h): where each backend's
// packets leave, resolved here so the datapath never asks the FIB. dsr: the
// backend's MAC, out of the interface named with `dev`, else out of the
// attached interface its on-link route says, else out of the ingress.
// Tunnels: the MAC of the route's gateway (or of the backend when on-link,
// or of the tunnel gateway setting when there is no route or no neighbour),
// out of the route's interface. `vlan N` adds the tag.
//
// Resolution never fails a transaction: what cannot be resolved is written
// unresolved (the datapath then drops dsr packets and asks the FIB for
// tunnel ones) and returned, so the caller can warn and retry.
#pragma once

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "model/model.hpp"
#include "state/maps.hpp"
#include "xlb_abi.h"

namespace xlb {

// What one resolution round knows: the attached interfaces, the neighbour
// entries already found, and when to stop waiting for ARP/ND.
struct HopContext {
  std::set<int> attached;
  std::map<IpAddr, MacAddr> neighbours;
  std::chrono::steady_clock::time_point deadline;
};

// A context for `pin_path`'s attachments that waits at most `wait` in all.
HopContext hop_context(const std::string& pin_path, std::chrono::milliseconds wait);

struct HopResult {
  xlb_nh entry{};       // flags XLB_NH_RESOLVED or XLB_NH_UNRESOLVED
  std::string problem;  // why unresolved; empty when resolved
};

// Resolves one backend of service `s` (settings: the tunnel gateways).
HopResult resolve_hop(const Service& s, const Backend& b, const Settings& st, HopContext& ctx);

struct UnresolvedHop {
  std::string service;
  IpAddr addr;
  std::string problem;
};

// Resolves every backend of `c` (ids assigned) and writes what changed into
// xlb_nexthops, and every egress into xlb_tx_ports. Fails only when the maps
// cannot be written; returns the backends left unresolved.
Result<std::vector<UnresolvedHop>> write_hops(const Maps& m, const Config& c, HopContext& ctx);

// Adds an interface to xlb_tx_ports (at attach, and for every egress).
Status add_tx_port(const Maps& m, int ifindex);

}  // namespace xlb
