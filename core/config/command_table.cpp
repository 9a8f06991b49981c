#include "config/command_table.hpp"

namespace xlb {

namespace {

constexpr CommandSpec kSpecs[] = {
    {"interface", "attach", "DEV [mode native|generic] [services N] [backends N] [flows N]",
     "load the datapath and attach it to DEV (again: upgrade in place)"},
    {"interface", "detach", "DEV", "detach the datapath from DEV"},
    {"interface", "list", "", "attached interfaces, capacities and memory"},
    {"service", "add", "NAME tcp|udp VIP[:PORT] [sched mh|sh] [ring PRIME] [forward FWD] [need N]",
     "add a virtual service (port 0 or none: every port); "
     "FWD := dsr | ipip | gre | gue [port P] | fou [port P]"},
    {"service", "set", "SERVICE [sched mh|sh] [ring PRIME] [forward FWD] [need N]",
     "change what is named, keep the rest"},
    {"service", "del", "SERVICE", "delete a service and its backends"},
    {"service", "list", "[SERVICE]", "services with their backends and counters"},
    {"service", "show", "[SERVICE]", "the same as list"},
    {"backend", "add", "SERVICE ADDR [weight N] [mac MAC] [dev DEV] [vlan N]",
     "add a backend (MAC from the neighbour table unless given)"},
    {"backend", "set", "SERVICE ADDR [weight N] [mac MAC] [dev DEV|auto] [vlan N]",
     "change a backend's weight, MAC, egress interface or VLAN tag"},
    {"backend", "disable", "SERVICE ADDR", "drain: no new flows, existing flows continue"},
    {"backend", "enable", "SERVICE ADDR", "take new flows again"},
    {"backend", "del", "SERVICE ADDR", "delete a backend; its flows move"},
    {"backend", "list", "[SERVICE]", "backends with weight, state and health"},
    {"check", "add",
     "SERVICE tcp|http|https|dns|udp [port P] [path /X] [expect LO-HI] [host NAME] "
     "[interval D] [timeout D] [rise N] [fall N]",
     "add a health check (all checks of a service must pass)"},
    {"check", "del", "SERVICE [INDEX|TYPE ...]",
     "delete checks by index (see check list) or type; none named: all"},
    {"check", "list", "[SERVICE]", "health checks with their index, target port and timers"},
    {"flows", "list", "[SERVICE] [backend ADDR]", "flows in the flow table"},
    {"flows", "count", "[SERVICE] [backend ADDR]", "how many flows"},
    {"flows", "flush", "[SERVICE] [backend ADDR]", "forget flows; they are re-balanced"},
    {"stats", "", "[SERVICE] [--rate [interval MS]] [--prometheus]",
     "counters per service and backend, global counters"},
    {"stats", "reset", "", "zero every counter"},
    {"set", "seed", "N", "the hash seed (same on every load balancer)"},
    {"set", "source4", "ADDR|none", "outer IPv4 source address of tunnel packets"},
    {"set", "source6", "ADDR|none", "outer IPv6 source address of tunnel packets"},
    {"set", "gateway4", "ADDR|none", "IPv4 next hop of tunnel packets the FIB cannot route"},
    {"set", "gateway6", "ADDR|none", "IPv6 next hop of tunnel packets the FIB cannot route"},
    {"set", "nat4", "PREFIX", "the IPv4 health-check NAT range (default 198.18.0.0/16)"},
    {"set", "nat6", "PREFIX", "the IPv6 health-check NAT range (default fd00:786c:6200::/64)"},
    {"nat", "list", "", "health-check NAT addresses: NAT address, VIP, port, backend"},
    {"list", "ruleset", "", "print the configuration as a file `xlb -f` applies"},
    {"flush", "ruleset", "", "remove every service (the attachment stays)"},
    {"import", "ipvsadm", "FILE", "print an ipvsadm-save -n file as an xlb ruleset"},
    {"decap", "attach", "DEV [mode native|generic] [gue-port P] [fou-port P] [address ADDR]...",
     "on a backend: strip xlb's tunnels (IPIP, GRE, GUE, FOU) addressed to this host"},
    {"decap", "detach", "DEV", "detach xlb-decap from DEV"},
    {"decap", "refresh", "", "re-read this host's addresses into xlb-decap"},
    {"decap", "list", "", "xlb-decap's devices, local addresses and counters"},
};

}  // namespace

std::span<const CommandSpec> command_specs() { return kSpecs; }

std::string command_help(const std::string& object) {
  std::string out;
  for (const auto& s : kSpecs) {
    if (!object.empty() && object != s.object) continue;
    std::string line = std::string("  xlb ") + s.object;
    if (*s.verb) line += std::string(" ") + s.verb;
    if (*s.args) line += std::string(" ") + s.args;
    out += line + "\n      " + s.summary + "\n";
  }
  return out;
}

}  // namespace xlb
