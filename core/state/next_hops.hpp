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

// How long a command waits, all new next hops together, for the kernel to
// resolve them (the kernel's own ARP/ND gives up after 3 probes).
constexpr std::chrono::milliseconds kResolveWait{3000};

struct BackendRef {
  std::string service;
  IpAddr backend;
  bool operator==(const BackendRef&) const = default;
};

// The command's one resolution round. Fills the MAC of every dsr backend
// that has none: from `live` when the same backend has one there, else from
// the neighbour table; triggers ARP/ND for the new ones and for the next
// hops of new tunnel backends together and waits up to `wait` (in all) for
// them, so the transaction writes the next-hop table without waiting again.
// Returns the dsr backends left unresolved.
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
// MAC. Tunnel next hops (a gateway's MAC is no part of the model) are
// rewritten in the next-hop table directly, under the writer lock, and
// reported among the changes too.
Result<RefreshResult> refresh_next_hops(State& st, const RefreshOptions& opts);

}  // namespace xlb
