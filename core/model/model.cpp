#include "model/model.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "model/check.hpp"
#include "model/maglev.hpp"
#include "model/nat.hpp"
#include "model/timeouts.hpp"

namespace xlb {

std::string to_string(Proto p) { return p == Proto::tcp ? "tcp" : "udp"; }
std::string to_string(Sched s) { return s == Sched::mh ? "mh" : "sh"; }
std::string to_string(Admin a) { return a == Admin::enabled ? "enabled" : "disabled"; }
std::string to_string(Health h) { return h == Health::up ? "up" : "down"; }

std::string to_string(WeightMode m) {
  static const char* const names[] = {"static", "flows", "response"};
  return names[static_cast<int>(m)];
}

std::optional<WeightMode> parse_weight_mode(std::string_view s) {
  for (WeightMode m : {WeightMode::fixed, WeightMode::flows, WeightMode::response})
    if (s == to_string(m)) return m;
  return std::nullopt;
}

std::string to_string(Forward f) {
  switch (f) {
    case Forward::dsr:
      return "dsr";
    case Forward::ipip:
      return "ipip";
    case Forward::gre:
      return "gre";
    case Forward::gue:
      return "gue";
    case Forward::fou:
      return "fou";
  }
  return "?";
}

std::string to_string(CheckType t) {
  static const char* const names[] = {"tcp", "http", "https", "dns", "udp"};
  return names[static_cast<int>(t)];
}

std::optional<CheckType> parse_check_type(std::string_view s) {
  for (CheckType t :
       {CheckType::tcp, CheckType::http, CheckType::https, CheckType::dns, CheckType::udp})
    if (s == to_string(t)) return t;
  return std::nullopt;
}

std::optional<Proto> parse_proto(std::string_view s) {
  if (s == "tcp") return Proto::tcp;
  if (s == "udp") return Proto::udp;
  return std::nullopt;
}

std::optional<Sched> parse_sched(std::string_view s) {
  if (s == "mh") return Sched::mh;
  if (s == "sh") return Sched::sh;
  return std::nullopt;
}

std::optional<Forward> parse_forward(std::string_view s) {
  for (Forward f : {Forward::dsr, Forward::ipip, Forward::gre, Forward::gue, Forward::fou})
    if (s == to_string(f)) return f;
  return std::nullopt;
}

uint16_t Service::tunnel_port() const {
  if (!takes_port(forward)) return 0;
  if (forward_port) return forward_port;
  return forward == Forward::gue ? XLB_GUE_PORT : XLB_FOU_PORT;
}

std::string Service::spec() const { return to_string(proto) + " " + endpoint(); }

std::string Service::endpoint() const {
  if (vip_len) {
    const std::string p = vip.str() + "/" + std::to_string(vip_len);
    const std::string host = vip.is_v6() ? "[" + p + "]" : p;
    if (!ports.empty()) return host + ":" + ports_str(ports);
    return port ? host + ":" + std::to_string(port) : host;
  }
  if (ports.empty()) return Endpoint{vip, port}.str();
  return Endpoint{vip, 0}.str() + ":" + ports_str(ports);
}

void Service::set_ports(const PortSet& set) {
  port = set.empty() ? 0 : set.front().lo;
  ports = port_count(set) > 1 ? set : PortSet{};
}

PortSet Service::port_set() const {
  if (!ports.empty()) return ports;
  if (port == 0) return {};
  return {{port, port}};
}

bool Service::has_port(uint16_t p) const {
  if (p == port) return true;
  return std::any_of(ports.begin(), ports.end(), [&](const PortRange& r) { return r.contains(p); });
}

uint32_t Service::table_weight(const Backend& b) const {
  if (weights == WeightMode::fixed) return b.weight;
  return b.effective_weight ? b.effective_weight : b.weight * kWeightScale;
}

Backend* Service::find_backend(const IpAddr& a) {
  for (auto& b : backends)
    if (b.addr == a) return &b;
  return nullptr;
}

const Backend* Service::find_backend(const IpAddr& a) const {
  return const_cast<Service*>(this)->find_backend(a);
}

std::optional<uint32_t> Service::active_priority() const {
  std::optional<uint32_t> best;
  for (const auto& b : backends)
    if (b.in_table() && (!best || b.priority < *best)) best = b.priority;
  return best;
}

bool Service::can_serve() const {
  const NewFlowRule rule = new_flow_rule();
  return std::any_of(backends.begin(), backends.end(),
                     [&](const Backend& b) { return rule.admits(b); });
}

bool Service::in_panic() const {
  if (panic == 0) return false;
  uint64_t enabled = 0, healthy = 0;
  for (const auto& b : backends) {
    enabled += b.enabled();
    healthy += b.in_table();
  }
  return enabled > 0 && healthy * 100 < uint64_t{panic} * enabled;
}

// From the last: a ruleset adds a service and then its backends, each of
// which names it (1,000 services x 10 backends: 5,000,000 comparisons
// from the first, 10,000 from the last).
Service* Config::find_service(std::string_view name) {
  for (auto s = services.rbegin(); s != services.rend(); ++s)
    if (s->name == name) return &*s;
  return nullptr;
}

const Service* Config::find_service(std::string_view name) const {
  return const_cast<Config*>(this)->find_service(name);
}

Service* Config::find_service(Proto p, const IpAddr& vip, uint16_t port) {
  for (auto& s : services)
    if (s.proto == p && s.vip == vip && !s.vip_len && s.has_port(port)) return &s;
  return nullptr;
}

const Service* Config::find_service(Proto p, const IpAddr& vip, uint16_t port) const {
  return const_cast<Config*>(this)->find_service(p, vip, port);
}

bool Service::vip_holds(const IpAddr& dst) const {
  return vip_len ? IpPrefix{vip, vip_len}.contains(dst) : vip == dst;
}

IpAddr Service::probe_vip() const {
  IpAddr a = vip;
  // A prefix (at most /31, /127) has host bits, all zero: the last is free.
  if (vip_len) a.bytes[a.is_v6() ? 15 : 3] |= 1;
  return a;
}

std::optional<IpPrefix> Config::vip_of(const IpAddr& dst) const {
  std::optional<IpPrefix> best;
  for (const auto& s : services) {
    if (!s.vip_holds(dst)) continue;
    if (!s.vip_len) return IpPrefix{dst, 0};
    if (!best || s.vip_len > best->len) best = IpPrefix{s.vip, s.vip_len};
  }
  return best;
}

const Service* Config::service_for(Proto p, const IpAddr& dst, uint16_t port) const {
  const auto vip = vip_of(dst);
  if (!vip) return nullptr;
  const Service* any = nullptr;
  for (const auto& s : services) {
    if (s.proto != p || s.vip != vip->addr || s.vip_len != vip->len) continue;
    if (port && s.has_port(port)) return &s;
    if (s.port == 0) any = &s;
  }
  return any;
}

namespace {

bool valid_name(const std::string& n) {
  if (n.empty() || n.size() > 64) return false;
  if (!std::isalpha(static_cast<unsigned char>(n[0])) && n[0] != '_') return false;
  return std::all_of(n.begin(), n.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-' || ch == '.';
  });
}

// A prefix VIP: shorter than an address, without host bits.
bool valid_prefix(const IpAddr& a, uint8_t len) {
  if (len == 0 || len >= (a.is_v6() ? 128 : 32)) return false;
  auto p = IpPrefix::parse(a.str() + "/" + std::to_string(len));
  return p && p->addr == a;
}

Status validate_backend(const Service& s, const Backend& b) {
  if (b.weight > kMaxWeight)
    return usage_error("weight " + std::to_string(b.weight) + " of backend " + b.addr.str() +
                       " is above " + std::to_string(kMaxWeight));
  // Tunnels carry either family in either family (ipip: IPIP, IP6IP6, 4in6
  // and 6in4); only dsr keeps the packet as it is.
  if (s.forward == Forward::dsr && b.addr.family != s.vip.family)
    return usage_error("backend " + b.addr.str() + " of service " + s.name +
                       ": forward dsr needs the VIP's address family");
  return {};
}

}  // namespace

Status validate_service(const Service& s) {
  if (!valid_name(s.name))
    return usage_error("invalid service name '" + s.name +
                       "' (letters, digits, '_', '-', '.'; starting with a letter)");
  if (s.ring < XLB_RING_MIN || s.ring > XLB_RING_MAX || !is_prime(s.ring))
    return usage_error("ring " + std::to_string(s.ring) + " of service " + s.name +
                       " is not a prime between " + std::to_string(XLB_RING_MIN) + " and " +
                       std::to_string(XLB_RING_MAX));
  if (s.vip_len && !valid_prefix(s.vip, s.vip_len))
    return usage_error("service " + s.name + ": invalid VIP prefix " + s.vip.str() + "/" +
                       std::to_string(s.vip_len) + " (a network address, length 1 to " +
                       (s.vip.is_v6() ? "127)" : "31)"));
  if (s.backends.size() >= s.ring)
    return usage_error("service " + s.name + " has more backends than ring slots");
  if (s.forward_port && !takes_port(s.forward))
    return usage_error("service " + s.name + ": forward " + to_string(s.forward) +
                       " takes no port (only gue and fou do)");
  std::set<IpAddr> seen;
  for (const auto& b : s.backends) {
    if (!seen.insert(b.addr).second)
      return usage_error("backend " + b.addr.str() + " appears twice in service " + s.name);
    XLB_TRY(validate_backend(s, b));
  }
  for (const auto& c : s.checks) XLB_TRY(validate_check(s, c));
  if (s.need > kMaxNeed)
    return usage_error("need " + std::to_string(s.need) + " of service " + s.name + " is above " +
                       std::to_string(kMaxNeed));
  if (s.panic > 100)
    return usage_error("panic " + std::to_string(s.panic) + "% of service " + s.name +
                       " is above 100%");
  if (s.persist > kMaxFlowTimeout)
    return usage_error("persist " + std::to_string(s.persist) + "s of service " + s.name +
                       " is above " + format_timeout(kMaxFlowTimeout));
  return {};
}

Status validate_tunnel_sources(const Settings& st, const Service& s) {
  if (!is_tunnel(s.forward)) return {};
  for (const auto& b : s.backends) {
    bool v6 = b.addr.is_v6();
    if (v6 ? st.source6.has_value() : st.source4.has_value()) continue;
    return usage_error("backend " + b.addr.str() + " of service " + s.name + ": forward " +
                       to_string(s.forward) + " needs an outer source address (xlb set " +
                       (v6 ? "source6" : "source4") + " ADDR)");
  }
  return {};
}

namespace {

// The port `a` and `b` share, when they are on one VIP and protocol (0:
// both have every port).
std::optional<uint16_t> shared_port(const Service& a, const Service& b) {
  if (a.proto != b.proto || a.vip != b.vip || a.vip_len != b.vip_len) return std::nullopt;
  if (a.port == 0 || b.port == 0)
    return a.port == b.port ? std::optional<uint16_t>(0) : std::nullopt;
  return first_common_port(a.port_set(), b.port_set());
}

Error port_conflict(const Service& s, const Service& o, uint16_t p) {
  if (s.port_set() == o.port_set())
    return runtime_error("service " + s.spec() + " already exists as " + o.name);
  return runtime_error("service " + s.spec() + " overlaps service " + o.name + " (" + o.spec() +
                       ") on port " + std::to_string(p));
}

// Services on one VIP and protocol must not share a port.
Status check_port_conflicts(const Config& c) {
  std::map<std::pair<Proto, IpAddr>, std::vector<const Service*>> by_vip;
  for (const auto& s : c.services) {
    auto& others = by_vip[{s.proto, s.vip}];
    for (const Service* o : others)
      if (auto p = shared_port(s, *o)) return port_conflict(s, *o, *p);
    others.push_back(&s);
  }
  return {};
}

}  // namespace

Status check_port_conflict(const Config& c, const Service& s) {
  for (const auto& o : c.services)
    if (o.name != s.name)
      if (auto p = shared_port(s, o)) return port_conflict(s, o, *p);
  return {};
}

Status validate(const Config& c) {
  std::set<std::string> names;
  for (const auto& s : c.services) {
    XLB_TRY(validate_service(s));
    XLB_TRY(validate_tunnel_sources(c.settings, s));
    if (!names.insert(s.name).second) return usage_error("service " + s.name + " exists twice");
  }
  XLB_TRY(check_port_conflicts(c));
  XLB_TRY(validate_filters(c.filters));
  return validate_nat_ranges(c);
}

}  // namespace xlb
