// xlb_backends as a configuration wants it: one entry per backend, by stable
// id. The transaction writes the differences; recovery (recovery.hpp) makes
// the whole map equal to the committed configuration again.
#pragma once

#include <cstdint>
#include <map>

#include "base/result.hpp"
#include "model/model.hpp"
#include "state/maps.hpp"

namespace xlb {

using BackendEntries = std::map<uint32_t, xlb_backend>;

// `rule`: the service's new_flow_rule(), worked out once by the caller.
xlb_backend backend_entry(const Service& s, const Backend& b, const Service::NewFlowRule& rule);
BackendEntries backend_entries(const Config& c);

Status write_backend(const Maps& m, uint32_t id, const xlb_backend& e);

// Rewrites every entry of xlb_backends that differs from `c`'s (ids `c`
// does not use are zeroed: cookie 0, not in use). Returns how many it wrote.
Result<uint32_t> reconcile_backends(const Maps& m, const Config& c);

}  // namespace xlb
