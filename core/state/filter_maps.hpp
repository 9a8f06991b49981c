// The filter stage's pinned maps (bpf/filter_abi.h): the rules written from
// the model, and the per-rule counters read back. The maps belong to the
// filter object (bpf/filter.bpf.c), pinned beside the balancer's; they are
// made the first time a rule is written.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "model/filter.hpp"

namespace xlb {

struct FilterCounts {
  uint64_t packets = 0;
  uint64_t bytes = 0;
};

// Makes the maps' datapath entries equal to `rules`: entries of prefixes no
// rule has any more are deleted (whatever wrote them), counters of rule ids
// new since `live` start at zero.
Status write_filter_rules(const std::string& pin_path, const std::vector<FilterRule>& live,
                          const std::vector<FilterRule>& rules);
// A commit's part: the rules written, and the filter stage of every
// attached interface filled while there are rules (stages.hpp).
Status commit_filters(const std::string& pin_path, const std::vector<FilterRule>& live,
                      const std::vector<FilterRule>& next);
// What each of the rules dropped, by rule id, summed over CPUs. Empty when
// the filter maps were never made.
std::map<uint32_t, FilterCounts> read_filter_counters(const std::string& pin_path,
                                                      const std::vector<FilterRule>& rules);
// Zeroes the counters of the rules.
Status reset_filter_counters(const std::string& pin_path, const std::vector<FilterRule>& rules);

}  // namespace xlb
