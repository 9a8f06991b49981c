// The configuration model: what the operator asked for, plus the stable ids
// the control plane gave it. It is serialised into the pinned store map, so
// the pins alone are enough to print the whole configuration back.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "base/addr.hpp"
#include "base/result.hpp"
#include "model/filter.hpp"
#include "model/ports.hpp"
#include "xlb_abi.h"

namespace xlb {

enum class Proto : uint8_t { tcp = 6, udp = 17 };
enum class Sched : uint8_t { mh, sh };
enum class Forward : uint8_t {
  dsr = XLB_FWD_DSR,
  ipip = XLB_FWD_IPIP,
  gre = XLB_FWD_GRE,
  gue = XLB_FWD_GUE,
  fou = XLB_FWD_FOU
};
enum class Admin : uint8_t { enabled, disabled };
enum class Health : uint8_t { up, down };
// How a service's Maglev table weighs its backends (service ... weights):
// by their configured weights, or by effective weights that xlb-healthd
// derives from them and each backend's live flows (least connections) or
// its checks' response times (least response time).
enum class WeightMode : uint8_t { fixed, flows, response };

constexpr uint32_t kDefaultWeight = 1;
constexpr uint32_t kMaxWeight = 65535;
constexpr uint32_t kMaxPriority = 255;  // backend tiers: 0 (the first) to 255
constexpr uint32_t kMaxNeed = 65535;
// Effective (dynamic) weights are on this scale: a backend exactly as loaded
// as its service's average has kWeightScale x its configured weight.
constexpr uint32_t kWeightScale = 100;
constexpr uint32_t kDefaultSeed = 0x786c6221;  // "xlb!"

std::string to_string(Proto p);
std::string to_string(Sched s);
std::string to_string(Forward f);
std::string to_string(Admin a);
std::string to_string(Health h);
std::string to_string(WeightMode m);  // "static", "flows", "response"
std::optional<WeightMode> parse_weight_mode(std::string_view s);
std::optional<Proto> parse_proto(std::string_view s);
std::optional<Sched> parse_sched(std::string_view s);
std::optional<Forward> parse_forward(std::string_view s);
// Whether a method encapsulates (every method but dsr).
inline bool is_tunnel(Forward f) { return f != Forward::dsr; }
// Whether a method takes `port P` (the outer UDP destination port).
inline bool takes_port(Forward f) { return f == Forward::gue || f == Forward::fou; }

struct Backend {
  IpAddr addr;
  uint32_t weight = kDefaultWeight;
  MacAddr mac;                // resolved or given
  bool mac_explicit = false;  // given with `mac`: printed back in the ruleset
  std::string dev;            // `dev DEV`: the egress interface, else the route's
  uint16_t vlan = 0;          // `vlan N`: the 802.1Q tag on egress (0: none)
  // `priority N`: the tier. New flows go to the best (lowest) tier that has
  // a usable backend; the others are standing by (their flows stay).
  uint32_t priority = 0;
  Admin admin = Admin::enabled;
  Health health = Health::up;
  // dsr only: no MAC could be resolved for it (no answer to ARP/ND, or the
  // kernel's neighbour entry FAILED). Kept, but out of the table until a
  // refresh (xlb backend refresh, xlb-healthd) resolves it.
  bool unresolved = false;
  // Dynamic weights: the weight xlb-healthd last worked out, on a scale of
  // kWeightScale per unit of `weight` (0: none yet). Runtime state like
  // `health`: stored, shown, never printed in the ruleset.
  uint32_t effective_weight = 0;
  // Assigned by the transaction; stable while the backend exists.
  uint32_t id = XLB_NO_BACKEND;
  uint32_t cookie = 0;

  // In the Maglev table: takes new flows.
  bool in_table() const { return enabled() && health == Health::up; }
  // Could take new flows were it healthy.
  bool enabled() const { return admin == Admin::enabled && !unresolved && weight > 0; }
};

// A health check (xlb check add). All checks of a service must pass for a
// backend to be up. Probes go through the health-check NAT path, so they
// reach the VIP on the backend, as real clients do.
enum class CheckType : uint8_t { tcp, http, https, dns, udp };
std::string to_string(CheckType t);
std::optional<CheckType> parse_check_type(std::string_view s);

struct Check {
  CheckType type = CheckType::tcp;
  uint16_t port = 0;         // 0: the service's port
  std::string path = "/";    // http, https
  uint16_t expect_lo = 200;  // http, https: accepted status range
  uint16_t expect_hi = 399;
  std::string host;  // http Host / TLS SNI; dns: the name queried
  uint32_t interval_ms = 2000;
  uint32_t timeout_ms = 1000;
  uint32_t rise = 2;
  uint32_t fall = 3;
  bool operator==(const Check&) const = default;
};

struct Service {
  std::string name;
  Proto proto = Proto::tcp;
  IpAddr vip;
  // Prefix VIPs (192.0.2.0/28:80): every address of vip/vip_len is a VIP
  // of the service; 0: vip alone. An exact VIP wins over a prefix.
  uint8_t vip_len = 0;
  uint16_t port = 0;  // 0: every port; with several ports, the first of them
  // Several ports (VIP:80,443,8000-8099): the whole set, normalised, that
  // starts with `port`; empty when the service has one port or every port.
  // One service, one pool and one Maglev table for all of them.
  PortSet ports;
  Sched sched = Sched::mh;
  uint32_t ring = XLB_RING_DEFAULT;
  Forward forward = Forward::dsr;
  uint16_t forward_port = 0;  // gue, fou: outer UDP destination port (0: default)
  std::vector<Check> checks;  // in order of creation
  uint32_t need = 1;          // healthy backends needed to announce the VIP
  // `panic P%`: when fewer than P% of the enabled backends are healthy, health
  // is ignored and every enabled backend takes new flows (Envoy's panic
  // threshold: a mass failure of checks is more likely the checks' fault,
  // and spreading the load beats overloading the few left). 0: off.
  uint32_t panic = 0;
  uint32_t panics = 0;  // times the service entered panic (counted by commits)
  WeightMode weights = WeightMode::fixed;
  // `persist D`: a client address keeps its backend for D seconds after its
  // last packet, across pool changes, while that backend is in the table
  // (bpf/persist.h). 0: off.
  uint32_t persist = 0;
  std::vector<Backend> backends;  // kept sorted by address
  // Assigned by the transaction.
  uint32_t id = XLB_NO_SERVICE;
  uint32_t ring_slot = XLB_NO_SERVICE;

  std::string spec() const;      // "tcp 192.0.2.10:80", "tcp 192.0.2.10:80,443"
  std::string endpoint() const;  // "192.0.2.10:80,443", "[2001:db8::10]:53"
  // Whether a packet to `dst` is for this service's VIP: the VIP itself,
  // or any address of a prefix VIP (exact VIPs win: see Config::vip_of).
  bool vip_holds(const IpAddr& dst) const;
  // The address its health checks send probes to (through the NAT path):
  // the VIP, or for a prefix VIP its first host address (192.0.2.1 for
  // 192.0.2.0/28), since backends seldom answer on the network address.
  IpAddr probe_vip() const;
  // Sets the ports from a normalised, non-empty set (one port: `ports` empty).
  void set_ports(const PortSet& set);
  // The ports as a set: {port} for one port, {} for every port (port 0).
  PortSet port_set() const;
  // Whether `p` is one of its ports (0: whether it has every port).
  bool has_port(uint16_t p) const;
  // Entries of the service map (one per port) that it needs in each bank.
  uint32_t port_entries() const { return ports.empty() ? 1 : port_count(ports); }
  // forward_port, or the method's default (gue 6080, fou 5555); 0 for others.
  uint16_t tunnel_port() const;
  // The weight the Maglev table gives `b`: its configured weight, or with
  // dynamic weights its effective weight (kWeightScale x weight until
  // xlb-healthd has set one).
  uint32_t table_weight(const Backend& b) const;
  Backend* find_backend(const IpAddr& a);
  const Backend* find_backend(const IpAddr& a) const;
  // The best (lowest) priority among the usable backends (in_table()), if any.
  std::optional<uint32_t> active_priority() const;
  // Fewer than `panic`% of its enabled backends are healthy.
  bool in_panic() const;
  // Which backends take new flows, worked out once for the whole service
  // (loops over the backends use it instead of takes_new_flows, which scans
  // them again for every call).
  struct NewFlowRule {
    bool panic = false;
    std::optional<uint32_t> tier;  // the active priority; none: no usable backend
    // In the Maglev table: usable and in the active tier, or in panic
    // enabled whatever its health and tier.
    bool admits(const Backend& b) const {
      return panic ? b.enabled() : b.in_table() && b.priority == tier;
    }
  };
  NewFlowRule new_flow_rule() const { return {in_panic(), active_priority()}; }
  bool takes_new_flows(const Backend& b) const { return new_flow_rule().admits(b); }
  // Some backend takes new flows: the service can serve a new client.
  bool can_serve() const;
};

// Idle timeouts of flow entries, in seconds (xlb set timeout). IPVS's
// defaults for established TCP and for UDP; a short one for TCP entries
// that have seen only SYNs (see xlb_abi.h).
struct FlowTimeouts {
  uint32_t tcp = XLB_TIMEOUT_TCP;
  uint32_t tcp_syn = XLB_TIMEOUT_TCP_SYN;
  uint32_t udp = XLB_TIMEOUT_UDP;
  bool operator==(const FlowTimeouts&) const = default;
};

struct Settings {
  uint32_t seed = kDefaultSeed;
  FlowTimeouts timeouts;
  // New flows per second per CPU above which SYNs are not recorded; 0: off.
  uint32_t flow_guard = XLB_FLOW_GUARD;
  // The datapath answers ICMP echo to a VIP that can serve (set icmp-echo).
  bool icmp_echo = true;
  // Tunnel forwarding: outer source address per family, and the gateway
  // used when the FIB has no route to a backend (unset: not configured).
  std::optional<IpAddr> source4, source6;
  std::optional<IpAddr> gateway4, gateway6;
  // Health-check NAT: the ranges NAT addresses are taken from.
  std::optional<IpPrefix> nat4, nat6;
  bool operator==(const Settings&) const = default;
};

struct Config {
  Settings settings;
  std::vector<Service> services;    // in order of creation
  std::vector<FilterRule> filters;  // xlb filter: in order of creation
  uint32_t next_cookie = 1;         // cookies are never reused

  Service* find_service(std::string_view name);
  const Service* find_service(std::string_view name) const;
  // By (proto, vip, port): the ipvsadm way of naming a service. A port of a
  // service with several finds it.
  Service* find_service(Proto p, const IpAddr& vip, uint16_t port);
  const Service* find_service(Proto p, const IpAddr& vip, uint16_t port) const;
  // The VIP the datapath finds for a packet to `dst` (bpf/lookup.h): `dst`
  // when a service has it as an exact VIP, else the longest prefix VIP
  // that holds it (len 0: an exact VIP); nullopt: no VIP.
  std::optional<IpPrefix> vip_of(const IpAddr& dst) const;
  // The service the datapath gives a packet to dst:port: on the VIP above,
  // the one with that port, else the one with every port; null: none.
  const Service* service_for(Proto p, const IpAddr& dst, uint16_t port) const;
};

// Checks the model's own invariants (unique names and keys, families that
// the forwarding method allows, primes, weights). Capacities are checked by
// the transaction, which knows them.
Status validate(const Config& c);
// The invariants of one service and its backends: what every edit checks,
// so an error is reported at the command that caused it.
Status validate_service(const Service& s);
// The other service of `c` on the same VIP and protocol that shares a port
// with `s` (two port-0 services share "every port"), and that port: the
// error of a service whose ports are taken.
Status check_port_conflict(const Config& c, const Service& s);
// A tunnel service needs the outer source address of each of its backends'
// families (xlb set source4|source6).
Status validate_tunnel_sources(const Settings& st, const Service& s);

void to_json(nlohmann::json& j, const Config& c);
// The settings as JSON: seed, and the tunnel addresses that are set.
nlohmann::json settings_json(const Settings& st);
Result<Config> config_from_json(const nlohmann::json& j);
// The same mapping over a CBOR blob read in place (the store's decoder).
class CborView;
Result<Config> config_from_cbor_view(const CborView& v);

}  // namespace xlb
