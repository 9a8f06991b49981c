// Loading the stage programs (stages.hpp): xlb's filter and entry
// programs for one slot, and an operator's chained program. Each shares
// the maps pinned under the pin path (the prog array among them).
#pragma once

#include <cstdint>
#include <string>

#include "base/result.hpp"
#include "state/loader.hpp"

namespace xlb {

Result<LoadedProgram> load_filter_stage(const std::string& pin_path, uint32_t slot);
Result<LoadedProgram> load_entry_stage(const std::string& pin_path, uint32_t slot, bool has_chain);
// spec: a pinned XDP program, or FILE.o[:PROG] (the named program, else
// the object's first), loaded with xlb's maps reused by name.
Result<LoadedProgram> load_chain_stage(const std::string& pin_path, const std::string& spec);

}  // namespace xlb
