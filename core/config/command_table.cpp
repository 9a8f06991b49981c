#include "config/command_table.hpp"

#include <string_view>

#include "config/parser.hpp"

namespace xlb {

namespace {

// The order matters for abbreviations: the first object a word is a prefix
// of wins, so service and flows come before set, stats and flush.
constexpr CommandSpec kSpecs[] = {
    {"interface", "attach",
     "DEV [mode native|generic] [services N] [backends N] [flows N] [chain "
     "PINNED_PROG|FILE.o[:PROG]|none]",
     "load the datapath and attach it to DEV (again: upgrade in place); chain: run your own "
     "XDP program first",
     parse::parse_interface, "interface attach eth0 mode native services 64 flows 65536"},
    {"interface", "detach", "DEV", "detach the datapath from DEV", parse::parse_interface,
     "interface detach eth0"},
    {"interface", "list", "", "attached interfaces, capacities and memory", parse::parse_interface,
     "interface list"},
    {"service", "add",
     "NAME tcp|udp VIP[:PORTS] [sched mh|sh] [ring PRIME] [forward FWD] [need N] [panic P%] "
     "[weights static|flows|response] [persist D|off]",
     "add a virtual service (port 0 or none: every port); VIP may be ADDR/LEN (a prefix); "
     "PORTS := PORT[-PORT][,PORTS]; "
     "FWD := dsr | ipip | gre | gue [port P] | fou [port P]",
     parse::parse_service,
     "service add web tcp 192.0.2.10:80 sched mh ring 16381 forward gue port 6080 need 1"},
    {"service", "set",
     "SERVICE [sched mh|sh] [ring PRIME] [forward FWD] [need N] [panic P%] "
     "[weights static|flows|response] [persist D|off] [ports PORTS]",
     "change what is named, keep the rest", parse::parse_service,
     "service set web persist 5m ports 80,443,8000-8099"},
    {"service", "del", "SERVICE", "delete a service and its backends", parse::parse_service,
     "service del tcp 192.0.2.10:80"},
    {"service", "list", "[SERVICE]", "services with their backends and counters",
     parse::parse_service, "service list web"},
    {"service", "show", "[SERVICE]", "the same as list", parse::parse_service, "service show"},
    {"backend", "add", "SERVICE ADDR [weight N] [priority N] [mac MAC] [dev DEV] [vlan N]",
     "add a backend (MAC from the neighbour table unless given)", parse::parse_backend,
     "backend add web 198.51.100.21 weight 2 mac 02:00:00:00:00:01 dev eth1 vlan 100"},
    {"backend", "set", "SERVICE ADDR [weight N] [priority N] [mac MAC] [dev DEV|auto] [vlan N]",
     "change a backend's weight, tier, MAC, egress interface or VLAN tag", parse::parse_backend,
     "backend set web 198.51.100.21 weight 0"},
    {"backend", "disable", "SERVICE ADDR", "drain: no new flows, existing flows continue",
     parse::parse_backend, "backend disable web 198.51.100.21"},
    {"backend", "enable", "SERVICE ADDR", "take new flows again", parse::parse_backend,
     "backend enable web 198.51.100.21"},
    {"backend", "del", "SERVICE ADDR", "delete a backend; its flows move", parse::parse_backend,
     "backend del web 198.51.100.21"},
    {"backend", "list", "[SERVICE]", "backends with weight, state, health and MAC",
     parse::parse_backend, "backend list udp [2001:db8::53]:53"},
    {"backend", "refresh", "[SERVICE]",
     "one round: re-resolve the MACs of backends (ARP/ND), commit what changed",
     parse::parse_backend, "backend refresh web"},
    {"check", "add",
     "SERVICE tcp|http|https|dns|udp [port P] [path /X] [expect LO-HI] [host NAME] "
     "[interval D] [timeout D] [rise N] [fall N]",
     "add a health check (all checks of a service must pass)", parse::parse_check,
     "check add web http path /healthz expect 200-299 interval 2s rise 2 fall 3"},
    {"check", "del", "SERVICE [INDEX|TYPE ...]",
     "delete checks by index (see check list) or type; none named: all", parse::parse_check,
     "check del web 1 http"},
    {"check", "list", "[SERVICE]", "health checks with their index, target port and timers",
     parse::parse_check, "check list web"},
    {"flows", "list", "[SERVICE] [backend ADDR]",
     "live flows (not expired, backend still there) with state and idle age", parse::parse_flows,
     "flows list web backend 198.51.100.21"},
    {"flows", "count", "[SERVICE] [backend ADDR]", "how many live flows", parse::parse_flows,
     "flows count"},
    {"flows", "flush", "[SERVICE] [backend ADDR]", "forget flows; they are re-balanced",
     parse::parse_flows, "flows flush web"},
    {"flows", "expire", "", "one sweep: delete expired and stale entries (xlb-healthd does it)",
     parse::parse_flows, "flows expire"},
    {"flows", "get", "tcp|udp CLIENT:PORT VIP:PORT",
     "the backend of one flow and why: its flow entry, or the Maglev table slot",
     parse::parse_flows, "flows get tcp 203.0.113.7:40000 192.0.2.10:80"},
    {"stats", "", "[SERVICE] [--rate [interval MS] [count N]] [--prometheus [--ipvs-names]]",
     "counters per service and backend, global counters; --rate repeats until interrupted",
     parse::parse_stats, "stats web --rate interval 500"},
    {"stats", "reset", "[SERVICE]", "zero every counter, or one service's and its backends'",
     parse::parse_stats, "stats reset web"},
    {"capture", "",
     "[dev DEV] [count N] [snaplen N] [-w FILE|-] [service S] [backend ADDR] [verdict V] "
     "[reason R]",
     "packets as they arrived, with xlb's verdict, reason, service and backend; -w writes "
     "pcapng",
     parse::parse_capture, "capture count 20 -w web.pcapng service web"},
    {"set", "seed", "N", "the hash seed (same on every load balancer)", parse::parse_set,
     "set seed 42"},
    {"set", "timeout", "[tcp D] [tcp-syn D] [udp D]",
     "idle timeouts of flow entries (default tcp 15m, tcp-syn 10s, udp 5m)", parse::parse_set,
     "set timeout tcp 15m tcp-syn 10s udp 5m"},
    {"set", "flow-guard", "N|off",
     "above N new flows/s per CPU, SYNs are balanced but not recorded (default 10000)",
     parse::parse_set, "set flow-guard 10000"},
    {"set", "icmp-echo", "on|off",
     "answer ping to a VIP that can serve, from the datapath (default on)", parse::parse_set,
     "set icmp-echo off"},
    {"set", "source4", "ADDR|none", "outer IPv4 source address of tunnel packets", parse::parse_set,
     "set source4 192.0.2.1"},
    {"set", "source6", "ADDR|none", "outer IPv6 source address of tunnel packets", parse::parse_set,
     "set source6 none"},
    {"set", "gateway4", "ADDR|none", "IPv4 next hop of tunnel packets the FIB cannot route",
     parse::parse_set, "set gateway4 192.0.2.254"},
    {"set", "gateway6", "ADDR|none", "IPv6 next hop of tunnel packets the FIB cannot route",
     parse::parse_set, "set gateway6 2001:db8::1"},
    {"set", "nat4", "PREFIX", "the IPv4 health-check NAT range (default 198.18.0.0/16)",
     parse::parse_set, "set nat4 198.18.0.0/16"},
    {"set", "nat6", "PREFIX", "the IPv6 health-check NAT range (default fd00:786c:6200::/64)",
     parse::parse_set, "set nat6 fd00:786c:6200::/64"},
    {"filter", "add",
     "drop src PREFIX [dst VIP[:PORT]] [proto tcp|udp|icmp] | limit src PREFIX|any rate N "
     "pps|bps [burst N] [per /32|/24|/64|/48]",
     "drop or police packets by source before the balancer (every packet on the interface; "
     "the longest source prefix with rules decides)",
     parse::parse_filter, "filter add limit src 198.51.100.0/24 rate 1000 pps burst 100 per /32"},
    {"filter", "del", "INDEX | drop src PREFIX [dst VIP[:PORT]] [proto P] | limit src PREFIX|any",
     "delete a filter rule by index (see filter list) or by its words", parse::parse_filter,
     "filter del drop src 203.0.113.0/24"},
    {"filter", "list", "", "filter rules in order, with what each dropped (packets, bytes)",
     parse::parse_filter, "filter list"},
    {"nat", "list", "", "health-check NAT addresses: NAT address, VIP, port, backend",
     parse::parse_nat, "nat list"},
    {"list", "ruleset", "", "print the configuration as a file `xlb -f` applies", parse::parse_list,
     "list ruleset"},
    {"flush", "ruleset", "", "remove every service (the attachment stays)", parse::parse_flush,
     "flush ruleset"},
    {"import", "ipvsadm", "FILE", "print an ipvsadm-save -n file as an xlb ruleset",
     parse::parse_import, "import ipvsadm rules.ipvsadm"},
    {"decap", "attach", "DEV [mode native|generic] [gue-port P] [fou-port P] [address ADDR]...",
     "on a backend: strip xlb's tunnels (IPIP, GRE, GUE, FOU) addressed to this host",
     parse::parse_decap, "decap attach eth0 gue-port 6080 address 192.0.2.1"},
    {"decap", "detach", "DEV", "detach xlb-decap from DEV", parse::parse_decap,
     "decap detach eth0"},
    {"decap", "refresh", "", "re-read this host's addresses into xlb-decap", parse::parse_decap,
     "decap refresh"},
    {"decap", "list", "", "xlb-decap's devices, local addresses and counters", parse::parse_decap,
     "decap list"},
};

}  // namespace

std::span<const CommandSpec> command_specs() { return kSpecs; }

const CommandSpec* find_object(const std::string& word) {
  if (word.empty()) return nullptr;
  for (const auto& s : kSpecs)
    if (word == s.object) return &s;
  for (const auto& s : kSpecs)
    if (std::string_view(s.object).starts_with(word)) return &s;
  return nullptr;
}

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
