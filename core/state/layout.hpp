// The layout version of pinned state: which XLB_ABI_VERSION made the maps
// under a pin path. A newer xlb upgrades older pins in place (upgrade.hpp);
// an older one refuses newer pins instead of writing structures they no
// longer have.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "base/result.hpp"

namespace xlb {

// The layout of the pins under pin_path; 0 when nothing is pinned there.
// Read from the stored model's "abi" field (every commit writes it); pins
// whose store was never written are told apart by their maps (xlb_nexthops
// came with layout 3).
Result<uint32_t> pinned_layout(const std::string& pin_path);

// The "abi" value at the head of a stored model blob (CBOR of a map whose
// first key is "abi"); 0 when the blob does not start that way.
uint32_t blob_layout(std::span<const uint8_t> blob);

// The refusal for pins newer than this xlb.
Error newer_layout_error(const std::string& pin_path, uint32_t layout);

}  // namespace xlb
