// Counters: per-CPU in the kernel, summed here.
#pragma once

#include <array>
#include <cstdint>
#include <map>

#include "base/result.hpp"
#include "model/model.hpp"
#include "state/maps.hpp"

namespace xlb {

struct Counters {
  uint64_t packets = 0;
  uint64_t bytes = 0;
  uint64_t new_flows = 0;
};

struct StatsSnapshot {
  std::map<uint32_t, Counters> services;  // by service id
  std::map<uint32_t, Counters> backends;  // by backend id
  std::array<uint64_t, XLB_G_MAX> global{};
  // xlb-syncd's counters (xlb_sync_stats, XLB_SYNC_C_*); zero without one.
  std::array<uint64_t, XLB_SYNC_C_MAX> sync{};
};

// Name of a global counter as shown to operators ("pass", "drop_no_service").
const char* global_counter_name(int index);
// Name of an xlb-syncd counter ("sent", "rejected_tag").
const char* sync_counter_name(int index);
// xlb-syncd's counters as pinned under pin_path (all zero when absent).
std::array<uint64_t, XLB_SYNC_C_MAX> read_sync_counters(const std::string& pin_path);

// Reads the counters of every service and backend of `c`.
Result<StatsSnapshot> read_stats(const Maps& m, const Config& c);
// Zeroes every counter: all of c's services and backends, and the global ones.
Status reset_stats(const Maps& m, const Config& c);
// Zeroes one service's counters and its backends' (not the global ones).
Status reset_service_stats(const Maps& m, const Service& s);

// Zeroes one id's counters; used when an id is given to a new object.
Status zero_service_stats(const Maps& m, uint32_t id);
Status zero_backend_stats(const Maps& m, uint32_t id);

}  // namespace xlb
