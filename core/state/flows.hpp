// The flow table: listing, counting, looking up, expiring, flushing.
//
// The listings tell what the datapath would do with the next packet: an
// entry that has expired (idle longer than its timeout) or whose backend id
// no longer names what it was placed on (cookie) is a miss there, so it is
// left out here too. The sweep deletes such entries, so counts fall.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "base/result.hpp"
#include "model/model.hpp"
#include "state/maps.hpp"

namespace xlb {

enum class FlowState : uint8_t { syn, established };
std::string to_string(FlowState s);  // "syn", "established"

struct Flow {
  Proto proto = Proto::tcp;
  IpAddr client, vip;
  uint16_t client_port = 0, vip_port = 0;
  uint32_t backend_id = XLB_NO_BACKEND;
  uint32_t service_id = XLB_NO_SERVICE;  // the backend's
  uint32_t age_seconds = 0;              // since the last packet
  uint32_t timeout = 0;                  // its idle timeout (0: never)
  FlowState state = FlowState::established;
};

// Why the datapath would not use an entry.
enum class FlowLiveness : uint8_t { live, expired, stale };

// The datapath's key of a flow.
xlb_flow_key flow_key(Proto p, const Endpoint& client, const Endpoint& vip);

// Live entries only.
Result<std::vector<Flow>> list_flows(const Maps& m);
// Every entry, live or not: what the LRU holds.
Result<uint64_t> count_flows(const Maps& m);
// The entry of one key, live or not (nullopt: none).
struct FlowEntry {
  Flow flow;
  FlowLiveness liveness = FlowLiveness::live;
};
Result<std::optional<FlowEntry>> lookup_flow(const Maps& m, const xlb_flow_key& k);

// One sweep: deletes expired and stale entries, of the flow table and of
// the persistence table (`persist`: those removed there).
struct SweepResult {
  uint64_t expired = 0, stale = 0, persist = 0;
};
Result<SweepResult> expire_flows(const Maps& m);
// Entries in the persistence table, live or not.
Result<uint64_t> count_persist(const Maps& m);

// The persistence entry of `client` in service `s` (nullopt: none). Live
// when the datapath would use it: younger than s.persist, its backend the
// same (cookie) and taking new flows (neither down nor out of the table).
struct PersistEntry {
  uint32_t backend_id = XLB_NO_BACKEND;
  uint32_t age_seconds = 0;
  FlowLiveness liveness = FlowLiveness::live;
};
Result<std::optional<PersistEntry>> lookup_persist(const Maps& m, const Service& s,
                                                   const IpAddr& client);

// The Maglev table's choice for a key in service `s` (its live table).
struct TableChoice {
  uint32_t slot = 0;
  uint32_t backend_id = XLB_NO_BACKEND;
};
Result<TableChoice> table_choice(const Maps& m, const Service& s, uint32_t seed,
                                 const xlb_flow_key& k);

// Deletes the live flows `match` accepts; returns how many.
Result<uint64_t> flush_flows(const Maps& m, const std::function<bool(const Flow&)>& match);

}  // namespace xlb
