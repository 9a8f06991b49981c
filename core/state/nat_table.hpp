// The health-check NAT table in the maps (xlb_nat, per bank) and the lb
// source addresses the reply path recognises (xlb_hc_cfg). Written by every
// transaction into the bank it is about to make live, so a probe always
// sees the NAT table of the configuration it runs under.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "model/model.hpp"
#include "state/hop_table.hpp"
#include "state/maps.hpp"

namespace xlb {

// Each NAT range must have a NAT address for every possible backend id.
Status check_nat_capacity(const Settings& s, uint32_t backend_capacity);

// Fills bank `bank` of xlb_nat for `next` (egress by the routes and
// interfaces `hops`, the commit's next-hop write, found) and sets the lb
// source addresses in xlb_hc_cfg.
Status write_bank_nat(const Maps& m, uint32_t bank, const Config& next, HopContext& hops);

// One row of `xlb nat list`: a NAT address and what the datapath does with it.
struct NatRow {
  IpAddr nat;
  std::string service;
  Proto proto = Proto::tcp;
  IpAddr vip;
  uint16_t port = 0;
  IpAddr backend;
  uint32_t backend_id = 0;
  int ifindex = 0;  // egress; 0: no route, probes are dropped
  IpAddr source;    // the lb address probes are sent from
};

// The NAT table of the live bank, in configuration order.
Result<std::vector<NatRow>> read_nat_table(const Maps& m, const Config& live, uint32_t bank);

}  // namespace xlb
