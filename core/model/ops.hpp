// Edits of the configuration model, one per command. Pure: they touch only
// the Config they are given and report misuse as usage errors, so the same
// code serves single commands, ruleset files and the shell.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "model/model.hpp"

namespace xlb {

// A service named by NAME or by `PROTO VIP[:PORT]`.
struct ServiceRef {
  std::string name;  // when set, wins
  std::optional<Proto> proto;
  std::optional<Endpoint> endpoint;
  std::string str() const;
};

Result<Service*> find_service(Config& c, const ServiceRef& ref);
Result<const Service*> find_service(const Config& c, const ServiceRef& ref);

// What `service set` may change; unset fields stay as they are.
struct ServiceChange {
  std::optional<Sched> sched;
  std::optional<uint32_t> ring;
  std::optional<Forward> forward;
  uint16_t forward_port = 0;  // with forward: its `port` (0: the default)
  std::optional<uint32_t> need;
  std::optional<uint32_t> panic;  // percent
  std::optional<WeightMode> weights;
  std::optional<uint32_t> persist;  // seconds, 0: off
  std::optional<PortSet> ports;     // ports 80,443,8000-8099: the whole new set
};

// One check of a service, named by its 1-based index (as `check list`
// shows it) or by its type (every check of that type).
struct CheckSelector {
  uint32_t index = 0;  // when non-zero, wins
  CheckType type = CheckType::tcp;
  std::string str() const;
};

// The tunnel settings `xlb set` names.
enum class TunnelSetting : uint8_t { source4, source6, gateway4, gateway6 };
std::string to_string(TunnelSetting t);
std::optional<TunnelSetting> parse_tunnel_setting(std::string_view s);
// The setting's family (XLB_AF_INET or XLB_AF_INET6).
int setting_family(TunnelSetting t);

Status service_add(Config& c, Service s);
Status service_set(Config& c, const ServiceRef& ref, const ServiceChange& ch);
Status service_del(Config& c, const ServiceRef& ref);

Status backend_add(Config& c, const ServiceRef& ref, Backend b);
Status backend_set_weight(Config& c, const ServiceRef& ref, const IpAddr& a, uint32_t w);
Status backend_set_priority(Config& c, const ServiceRef& ref, const IpAddr& a, uint32_t p);
Status backend_set_mac(Config& c, const ServiceRef& ref, const IpAddr& a, const MacAddr& m);
// The egress interface (`dev`, "" for the route's) and VLAN tag (0: none).
Status backend_set_egress(Config& c, const ServiceRef& ref, const IpAddr& a,
                          const std::optional<std::string>& dev, std::optional<uint16_t> vlan);
Status backend_set_admin(Config& c, const ServiceRef& ref, const IpAddr& a, Admin s);
Status backend_set_health(Config& c, const ServiceRef& ref, const IpAddr& a, Health h);
Status backend_del(Config& c, const ServiceRef& ref, const IpAddr& a);

Status check_add(Config& c, const ServiceRef& ref, const Check& check);
// Deletes the checks matched by any selector (all when there is none); a
// selector that matches nothing is an error.
Status check_del(Config& c, const ServiceRef& ref, const std::vector<CheckSelector>& which);

Status settings_set_seed(Config& c, uint32_t seed);
// Sets (or, with nullopt, unsets) an outer source address or a gateway.
Status settings_set_tunnel(Config& c, TunnelSetting t, const std::optional<IpAddr>& a);
// The NAT range of the prefix's family (set nat4 / set nat6).
Status settings_set_nat(Config& c, const IpPrefix& range);
// Sets the timeouts given (set timeout tcp D tcp-syn D udp D).
struct TimeoutChange {
  std::optional<uint32_t> tcp, tcp_syn, udp;
  bool operator==(const TimeoutChange&) const = default;
};
Status settings_set_timeouts(Config& c, const TimeoutChange& t);
// New flows per second per CPU above which SYNs are not recorded; 0: off.
Status settings_set_flow_guard(Config& c, uint32_t per_second);
Status settings_set_icmp_echo(Config& c, bool on);
void flush_ruleset(Config& c);

}  // namespace xlb
