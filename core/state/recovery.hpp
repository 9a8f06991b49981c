// What a writer killed mid-transaction leaves behind, found and repaired by
// the next writer.
//
// A transaction writes some shared state in place before the flip (backend
// entries of new or changed backends, new Maglev tables) and some after it
// (backends gone or turning down, tables released). Before its first write
// it leaves an intent record in xlb_store; it removes it once the last write
// is done. A writer that takes the lock and finds the record knows a writer
// died in between: whichever bank is live is the committed configuration
// (the flip is one map update), so making the shared state equal to it
// either undoes the dead writer's work (it died before the flip) or finishes
// it (after). Everything else a transaction writes is per bank and only
// the inactive bank, which the next transaction rewrites anyway.
#pragma once

#include <optional>
#include <string>

#include "base/result.hpp"
#include "model/model.hpp"
#include "state/maps.hpp"

namespace xlb {

// Key bank of the intent record in xlb_store (banks 0 and 1 hold the models).
inline constexpr uint32_t kIntentBank = 2;

Status intent_begin(const Maps& m, uint32_t generation);
Status intent_end(const Maps& m);

// When a dead writer left an intent record: repairs the shared state to
// match `committed` (the live bank's model) and removes the record. Returns
// a note saying what was repaired, nullopt when there was nothing to do.
Result<std::optional<std::string>> recover_interrupted(const Maps& m, const xlb_ctl& ctl,
                                                       const Config& committed);

}  // namespace xlb
