// The flow table: listing, counting, flushing.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "base/result.hpp"
#include "model/model.hpp"
#include "state/maps.hpp"

namespace xlb {

struct Flow {
  Proto proto = Proto::tcp;
  IpAddr client, vip;
  uint16_t client_port = 0, vip_port = 0;
  uint32_t backend_id = XLB_NO_BACKEND;
  uint32_t service_id = XLB_NO_SERVICE;
  uint32_t age_seconds = 0;  // since the last packet
};

Result<std::vector<Flow>> list_flows(const Maps& m);
Result<uint64_t> count_flows(const Maps& m);
// Deletes the flows `match` accepts; returns how many.
Result<uint64_t> flush_flows(const Maps& m, const std::function<bool(const Flow&)>& match);

}  // namespace xlb
