// Upgrading pins of an older layout in place, under traffic.
//
// The pins of layout N < XLB_ABI_VERSION are replaced without detaching:
//   1. read the model from the old store (the decoder reads every older
//      model) and the capacities from the old maps;
//   2. load the current datapath into a staging directory next to the pins
//      (PIN/upgrading), which creates fresh maps of the current layout, and
//      commit the model there (same stable ids and cookies, so flow entries
//      keep naming the same backends);
//   3. carry the flow entries over, converted step by step (kSteps in
//      upgrade.cpp), and the counters;
//   4. swap the program of every pinned link with bpf_link_update (packets
//      never see an unattached interface), carry the flows created during
//      the swap, then rename the new maps over the old pins (the store last:
//      its layout field says the upgrade is complete).
// A later layout bump adds one step to kSteps (its flow entry converter and
// the maps it retires); nothing else changes.
#pragma once

#include <cstdint>
#include <string>

#include "base/result.hpp"

namespace xlb {

struct UpgradeReport {
  uint32_t from = 0;  // 0: nothing was upgraded
  uint32_t to = 0;
  uint64_t flows_carried = 0;
  uint64_t flows_dropped = 0;    // entries that could not be converted
  uint64_t persist_carried = 0;  // persistence entries (layout 7 on)
  int links = 0;                 // interfaces whose program was swapped
};

// Upgrades the pins under pin_path when an older layout made them (taking
// the writer lock); refuses pins of a newer layout. Nothing pinned, or pins
// of this layout: nothing to do.
Result<UpgradeReport> upgrade_layout(const std::string& pin_path);

// One line saying what an upgrade did.
std::string describe(const UpgradeReport& r);

}  // namespace xlb
