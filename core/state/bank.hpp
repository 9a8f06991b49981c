// One bank of the service map: making xlb_svcs's entries for a bank equal
// to what a configuration wants, touching only the entries that differ.
#pragma once

#include <cstdint>

#include "base/result.hpp"
#include "model/model.hpp"
#include "state/maps.hpp"

namespace xlb {

Status write_bank_services(const Maps& m, uint32_t bank, const Config& c);

}  // namespace xlb
