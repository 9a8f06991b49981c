// Committing a configuration: the two-bank swap.
//
// The live bank is never written. The transaction gives stable ids to what is
// new, builds the Maglev tables that changed (a fresh inner map each, filled
// before it is linked), writes the inactive bank's services, settings and
// model, then flips the control word: one map update that makes the whole new
// ruleset live at once. Ids are never reused within one transaction, and
// changes that take something away from live flows (a backend gone or
// health-down) are written only after the flip, so packets that still see
// the old bank see the old backends intact.
//
// A writer that dies part way leaves an intent record; the next writer
// repairs what it left (recovery.hpp). Nothing after the flip fails the
// commit: its failures become warnings, and the record makes the next
// writer finish the job.
#pragma once

#include <string>
#include <vector>

#include "base/result.hpp"
#include "model/model.hpp"
#include "state/maps.hpp"

namespace xlb {

// `live` is the committed model of bank ctl.active_bank; `next` the wanted
// one. On success `next` carries its ids and is live; `warnings` gets what
// went wrong after the flip. On failure nothing has changed.
// adopt_ids: `next` keeps the ids and cookies it carries (a model moved
// into fresh maps by a layout upgrade, whose flow entries name them).
Status commit(const Maps& m, const Config& live, const xlb_ctl& ctl, Config& next,
              std::vector<std::string>& warnings, bool adopt_ids = false);

}  // namespace xlb
