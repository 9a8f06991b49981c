// The local flow table as flow sync sees it: peers' flows installed, live
// flows read out for a bulk sync.
#pragma once

#include <cstdint>
#include <functional>
#include <span>

#include "base/result.hpp"
#include "state/maps.hpp"
#include "sync/resolver.hpp"
#include "sync/wire.hpp"

namespace xlb::sync {

struct InstallResult {
  uint64_t installed = 0;
  uint64_t kept_local = 0;  // the local entry was seen as recently or later
  uint64_t unknown = 0;     // no such (service, backend) here
};

// Installs peers' flows. A flow whose backend is unknown here is skipped;
// a local entry that is live (its backend's cookie) and seen no earlier
// than the peer's is never overridden.
InstallResult install_flows(int flows_fd, const Resolver& r, std::span<const FlowRecord> flows,
                            uint32_t now);

// Calls `out` with every live entry of the table (cookie current, not
// idle longer than its timeout), as a record: the bulk sync.
Status walk_live_flows(const Maps& m, const Resolver& r,
                       const std::function<void(const FlowRecord&)>& out);

// CLOCK_MONOTONIC_COARSE seconds, the datapath's clock.
uint32_t monotonic_seconds();

}  // namespace xlb::sync
