// Maglev lookup tables (Eisenbud et al., NSDI 2016), weighted.
//
// The table depends only on the set of (address, weight) pairs, the table
// size and the seed: never on the order in which backends were added, so
// every load balancer with the same configuration builds the same table.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "addr.hpp"

namespace xlb {

bool is_prime(uint64_t n);

struct MaglevEntry {
  IpAddr addr;      // identity: what the permutation is derived from
  uint32_t weight;  // 0: not in the table
  uint32_t id;      // what the table stores
};

// Returns `size` slots, each the id of a backend; every slot is
// XLB_NO_BACKEND when no entry has a weight above 0. `size` must be prime.
std::vector<uint32_t> maglev_build(std::span<const MaglevEntry> entries, uint32_t size,
                                   uint32_t seed);

}  // namespace xlb
