// The serialised model in xlb_store, one copy per bank.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "base/result.hpp"
#include "model/model.hpp"
#include "state/maps.hpp"

namespace xlb {

// The bank's model; an empty Config when the bank was never written.
Result<Config> store_read(const Maps& m, uint32_t bank);
// The same from a store map's fd: pins of another layout (upgrade.cpp).
Result<Config> store_read_fd(int store_fd, uint32_t bank);
Status store_write(const Maps& m, uint32_t bank, const Config& c);

// The control word.
Result<xlb_ctl> ctl_read(const Maps& m);
Status ctl_write(const Maps& m, const xlb_ctl& ctl);

// Returns once every packet that could have read the bank before the last
// flip has finished (an RCU grace period), so that bank may be rewritten.
Status wait_for_datapath(const Maps& m);

}  // namespace xlb
