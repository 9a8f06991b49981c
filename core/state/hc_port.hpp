// The health-check port: a veth pair xlb creates next to its first attached
// interface. xlb-healthd (or anything) sends probes to NAT addresses; the
// host routes the NAT ranges into xlbhc0 (the host side, which holds the last
// address of each range as its own), the frames arrive on xlbhc1 (the
// datapath side), where xlb_hc translates them (bpf/hc.h). Replies come back
// out of xlbhc0 to the prober's socket.
//
// xlbhc0: NOARP (no neighbour resolution is needed: the frames' MACs are
// rewritten anyway), tx checksum offload off (XDP needs complete checksums),
// the XDP_PASS program (so frames redirected into the pair are received),
// an address and a route per NAT range. xlbhc1: no addresses, IPv6 off,
// xlb_hc. One xlb state per network namespace owns the port.
#pragma once

#include <string>

#include "base/result.hpp"
#include "model/model.hpp"
#include "state/maps.hpp"

namespace xlb {

bool hc_port_exists();
// Whether the port carries IPv6 probes: not on a host with IPv6 disabled,
// where it is set up for IPv4 only.
bool hc_port_ipv6();
// Creates the port if needed, (re)attaches its programs from the datapath
// pinned at pin_path and sets its addresses and routes for the NAT ranges.
Status hc_port_setup(const std::string& pin_path, const Settings& s);
// Makes an existing port's addresses, routes and datapath settings those of
// `s` (stale ones of an older NAT range removed); nothing without a port,
// or when the port here was set up for other pins.
// Idempotent: every writer runs it after its commit, so a failure is
// repaired by the next command.
// Cheap when nothing changed: it reads the port and writes only what differs.
Status hc_port_sync(const Maps& m, const Settings& s);
// Removes the port and tells the datapath it is gone.
Status hc_port_remove(const std::string& pin_path);

}  // namespace xlb
