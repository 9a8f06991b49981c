// Next hops of backends: the MACs DSR sends to, and the neighbour entries
// tunnel packets need, found through the kernel's neighbour table.
#pragma once

#include "base/result.hpp"
#include "model/model.hpp"

namespace xlb {

// Fills the MAC of every backend that has none: from `live` when the same
// backend has one there, else from the neighbour table.
Status fill_macs(const Config& live, Config& next);

}  // namespace xlb
