// Next hops of backends: the MACs DSR sends to, and the neighbour entries
// tunnel packets need, found through the kernel's neighbour table.
//
// Resolution never fails a transaction: a dsr backend whose MAC cannot be
// resolved is committed `unresolved` (out of the Maglev tables, its flows
// re-balanced, as a down backend's) and joins when a refresh round finds it.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "model/model.hpp"

namespace xlb {

class State;

// How long a transaction waits, all backends together, for the kernel to
// resolve the new ones (the kernel's own ARP/ND gives up after 3 probes).
constexpr std::chrono::milliseconds kResolveWait{3000};

struct BackendRef {
  std::string service;
  IpAddr backend;
  bool operator==(const BackendRef&) const = default;
};

// Fills the MAC of every dsr backend that has none: from `live` when the same
// backend has one there, else from the neighbour table, waiting up to `wait`
// (in all) for new backends. Returns the backends left unresolved.
std::vector<BackendRef> fill_macs(const Config& live, Config& next,
                                  std::chrono::milliseconds wait = kResolveWait);

// One backend's next hop before and after a refresh round (zero MAC:
// unresolved).
struct NextHopChange {
  BackendRef ref;
  MacAddr before, after;
};

struct RefreshOptions {
  std::optional<std::string> service;  // only this service's backends
  // How long to wait for unresolved backends to answer the ARP/ND the round
  // triggers (0: only read the table; a later round sees the answers).
  std::chrono::milliseconds wait{0};
  // Trigger ARP/ND for unresolved backends (a round on an event, which
  // only reads what changed, need not).
  bool probe_unresolved = true;
  // Also trigger ARP/ND for stale and missing entries, so that a host that
  // went away or changed its MAC is found out (the datapath's packets never
  // confirm an entry: the kernel does not see them).
  bool probe_stale = true;
};

struct RefreshResult {
  std::vector<NextHopChange> changes;  // committed, in one transaction
  std::vector<BackendRef> unresolved;  // after the round
  size_t checked = 0;                  // backends the round maintains
};

// One round: re-reads the neighbour table for every dsr backend without an
// explicit `mac`, triggers ARP/ND where needed, and commits what changed in
// one transaction: a new MAC, an unresolved backend that now resolves (it
// joins the tables), a resolved one whose entry FAILED (it becomes
// unresolved). Backends whose entry is absent or being resolved keep their
// MAC. Tunnel next hops belong in this round too (state/tunnel_hops).
Result<RefreshResult> refresh_next_hops(State& st, const RefreshOptions& opts);

}  // namespace xlb
