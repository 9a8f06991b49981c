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
//
// Nothing here waits: the one resolution round of a command (ARP/ND for
// new dsr backends and new tunnel next hops together, one wait; see
// state/next_hops.hpp) runs before, and the table is written from the
// kernel's neighbour table as that round left it.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "model/model.hpp"
#include "net/netlink.hpp"
#include "net/route.hpp"
#include "state/maps.hpp"
#include "xlb_abi.h"

namespace xlb {

// What one write of the table knows: the attached interfaces and the
// kernel's neighbour table; it notes the next hops it found missing or
// stale (the caller triggers ARP/ND for them: the datapath's packets never
// do, the kernel does not see them).
struct HopContext {
  std::set<int> attached;
  std::map<IpAddr, Neighbour> neighbours;
  std::set<IpAddr> missing, stale;
  RouteLookup routes;                     // one netlink socket and cache for the whole commit
  std::map<int, Result<LinkInfo>> links;  // egress interfaces, by ifindex
};

// A context for `pin_path`'s attachments, with the neighbour table as it is.
HopContext hop_context(const std::string& pin_path);

// The interface `ifindex` (its MAC and MTU) as the context's write found it:
// asked of the kernel once per write, for the next hops and the NAT table.
const Result<LinkInfo>& egress_link(HopContext& ctx, int ifindex);

struct HopResult {
  xlb_nh entry{};       // flags XLB_NH_RESOLVED or XLB_NH_UNRESOLVED
  std::string problem;  // why unresolved; empty when resolved
  // Unresolved only because the neighbour entry is absent or being
  // resolved (after `ip neigh flush`, a garbage collection): a resolved
  // entry out of the same interface is kept, its MAC still the best guess.
  bool pending = false;
};

// The neighbours tunnel backends of `c` send to (their route's gateway, or
// themselves on-link; the tunnel gateways' next hops), those of the
// backends `only` accepts (all when empty).
std::vector<IpAddr> tunnel_neighbours(
    const Config& c, const std::function<bool(const Service&, const Backend&)>& only = {});

// Resolves one backend of service `s` (settings: the tunnel gateways).
HopResult resolve_hop(const Service& s, const Backend& b, const Settings& st, HopContext& ctx);

struct UnresolvedHop {
  std::string service;
  IpAddr addr;
  std::string problem;
};

// An entry that a write changed: the MAC sent to before and after (zero:
// unresolved).
struct HopChange {
  std::string service;
  IpAddr addr;
  MacAddr before, after;
};

struct HopsWritten {
  std::vector<UnresolvedHop> unresolved;
  std::vector<HopChange> changed;
};

// Resolves every backend of `c` (ids assigned) and writes what changed into
// xlb_nexthops, and every egress into xlb_tx_ports. Fails only when the maps
// cannot be written.
Result<HopsWritten> write_hops(const Maps& m, const Config& c, HopContext& ctx);

// Adds an interface to xlb_tx_ports (at attach, and for every egress).
Status add_tx_port(const Maps& m, int ifindex);

// Removes from xlb_tx_ports every interface that is neither attached nor
// the egress of one of c's next hops (after a detach: the devmap holds a
// reference on the device).
Status prune_tx_ports(const Maps& m, const Config& c, const std::set<int>& attached);

// Clears the next hop of a backend that is gone (after the flip).
Status clear_hop(const Maps& m, uint32_t id);

}  // namespace xlb
