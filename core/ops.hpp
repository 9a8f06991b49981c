// Edits of the configuration model, one per command. Pure: they touch only
// the Config they are given and report misuse as usage errors, so the same
// code serves single commands, ruleset files and the shell.
#pragma once

#include <optional>
#include <string>

#include "model.hpp"
#include "result.hpp"

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
};

Status service_add(Config& c, Service s);
Status service_set(Config& c, const ServiceRef& ref, const ServiceChange& ch);
Status service_del(Config& c, const ServiceRef& ref);

Status backend_add(Config& c, const ServiceRef& ref, Backend b);
Status backend_set_weight(Config& c, const ServiceRef& ref, const IpAddr& a, uint32_t w);
Status backend_set_mac(Config& c, const ServiceRef& ref, const IpAddr& a, const MacAddr& m);
Status backend_set_admin(Config& c, const ServiceRef& ref, const IpAddr& a, Admin s);
Status backend_set_health(Config& c, const ServiceRef& ref, const IpAddr& a, Health h);
Status backend_del(Config& c, const ServiceRef& ref, const IpAddr& a);

Status settings_set_seed(Config& c, uint32_t seed);
// The NAT range of the prefix's family (set nat4 / set nat6).
Status settings_set_nat(Config& c, const IpPrefix& range);
void flush_ruleset(Config& c);

}  // namespace xlb
