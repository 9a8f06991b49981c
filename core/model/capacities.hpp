// How many services, backends and flows the maps hold: chosen at the first
// attach (`interface attach ... services N backends N flows N`).
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>

#include "base/result.hpp"
#include "xlb_abi.h"

namespace xlb {

struct Config;

struct Capacities {
  uint32_t services = XLB_DEFAULT_MAX_SERVICES;
  uint32_t backends = XLB_DEFAULT_MAX_BACKENDS;
  uint32_t flows = XLB_DEFAULT_MAX_FLOWS;
  bool operator==(const Capacities&) const = default;
  // Entries of the persistence table (xlb_persist, one per client address
  // of a persist service): a quarter of the flows, as a client usually
  // holds several (65,536 and 6.5 MiB by default; as many as the flows
  // would take 26 MiB on every load balancer), at least 1,024 or the flows.
  uint32_t persist() const { return std::max(flows / 4, std::min(flows, 1024u)); }
};

// The capacities an `interface attach` names; unnamed ones take the default.
struct CapacityChoice {
  std::optional<uint32_t> services, backends, flows;
  Capacities or_defaults() const;
};

// Whether maps made with `have` serve an attach that asks for `want`:
// capacities are fixed when the maps are created, so one named with another
// size is refused, saying the sizes and how to change them.
Status check_capacity_choice(const CapacityChoice& want, const Capacities& have,
                             const std::string& pin_path);

// The error of a transaction that needs more ids of `what` than `limit`.
Error capacity_exhausted(const char* what, uint32_t limit);

// Whether committing `next` over `live` needs more service or backend ids
// than the maps have: ids are never reused within one transaction, so
// everything live counts, plus what `next` adds. The same verdict, with the
// same message, as the transaction's id allocation; without the maps.
Status check_id_capacity(const Config& live, const Config& next, const Capacities& caps);

// Entries of the service map that one bank of `c` needs: one per port of
// each service (a range of 100 ports takes 100) and one per VIP (prefix
// VIPs have a map of their own, as large as the number of services).
uint64_t service_map_entries(const Config& c);
// Whether they fit: the map holds 4 x services entries, half per bank.
Status check_service_map_capacity(const Config& next, const Capacities& caps);

}  // namespace xlb
