// Maglev lookup tables (Eisenbud et al., NSDI 2016), weighted.
//
// The table depends only on the set of (address, weight) pairs, the table
// size and the seed: never on the order in which backends were added, so
// every load balancer with the same configuration builds the same table.
//
// Each backend's permutation of the slots comes from two hashes of its
// address (offset and skip, as in the paper). Weights: in every round a
// backend earns weight / max_weight of a slot and claims one slot each time
// its credit reaches a whole slot (Katran's scheme, plus a head start hashed
// from the address so that light backends do not all claim in the same
// rounds; see TurnOrder in maglev.cpp). Each backend gets its weighted share
// to within about a slot, and an equally weighted pool is the paper's round
// robin.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/addr.hpp"

namespace xlb {

bool is_prime(uint64_t n);

// A table size the datapath accepts: prime, within [XLB_RING_MIN, XLB_RING_MAX].
bool maglev_valid_size(uint64_t size);

struct MaglevEntry {
  IpAddr addr;      // identity: what the permutation is derived from
  uint32_t weight;  // 0: not in the table
  uint32_t id;      // what the table stores; XLB_NO_BACKEND: not in the table
};

// Returns `size` slots, each the id of a backend; every slot is
// XLB_NO_BACKEND when no entry has a weight above 0. Returns an empty vector
// when `size` fails maglev_valid_size(). Entries sharing an address get the
// same permutation; their ties are broken by weight, then id.
std::vector<uint32_t> maglev_build(std::span<const MaglevEntry> entries, uint32_t size,
                                   uint32_t seed);

}  // namespace xlb
