#include "model/ops.hpp"

#include <algorithm>

#include "model/timeouts.hpp"

namespace xlb {

std::string ServiceRef::str() const {
  if (!name.empty()) return name;
  if (proto && endpoint) return to_string(*proto) + " " + endpoint->str();
  return "?";
}

Result<Service*> find_service(Config& c, const ServiceRef& ref) {
  Service* s = nullptr;
  if (!ref.name.empty())
    s = c.find_service(ref.name);
  else if (ref.proto && ref.endpoint)
    s = c.find_service(*ref.proto, ref.endpoint->addr, ref.endpoint->port);
  if (!s) return runtime_error("no such service: " + ref.str());
  return s;
}

Result<const Service*> find_service(const Config& c, const ServiceRef& ref) {
  auto r = find_service(const_cast<Config&>(c), ref);
  if (!r) return r.error();
  return static_cast<const Service*>(*r);
}

Status service_add(Config& c, Service s) {
  if (c.find_service(s.name)) return runtime_error("service " + s.name + " already exists");
  XLB_TRY(check_port_conflict(c, s));
  XLB_TRY(validate_service(s));
  XLB_TRY(validate_tunnel_sources(c.settings, s));
  s.id = XLB_NO_SERVICE;
  s.ring_slot = XLB_NO_SERVICE;
  for (auto& b : s.backends) b.id = XLB_NO_BACKEND, b.cookie = 0;
  c.services.push_back(std::move(s));
  return {};
}

Status service_set(Config& c, const ServiceRef& ref, const ServiceChange& ch) {
  auto s = find_service(c, ref);
  if (!s) return s.error();
  if (ch.sched) (*s)->sched = *ch.sched;
  if (ch.ring) (*s)->ring = *ch.ring;
  if (ch.forward) {
    (*s)->forward = *ch.forward;
    (*s)->forward_port = ch.forward_port;
  }
  if (ch.ports) {
    (*s)->set_ports(*ch.ports);
    XLB_TRY(check_port_conflict(c, **s));
  }
  if (ch.need) (*s)->need = *ch.need;
  if (ch.panic) (*s)->panic = *ch.panic;
  if (ch.persist) (*s)->persist = *ch.persist;
  if (ch.weights && *ch.weights != (*s)->weights) {
    // Effective weights of another mode mean nothing in this one.
    (*s)->weights = *ch.weights;
    for (auto& b : (*s)->backends) b.effective_weight = 0;
  }
  XLB_TRY(validate_service(**s));
  return validate_tunnel_sources(c.settings, **s);
}

Status service_del(Config& c, const ServiceRef& ref) {
  auto s = find_service(c, ref);
  if (!s) return s.error();
  std::string name = (*s)->name;
  std::erase_if(c.services, [&](const Service& x) { return x.name == name; });
  return {};
}

Status backend_add(Config& c, const ServiceRef& ref, Backend b) {
  auto s = find_service(c, ref);
  if (!s) return s.error();
  if ((*s)->find_backend(b.addr))
    return runtime_error("backend " + b.addr.str() + " already exists in service " + (*s)->name);
  b.id = XLB_NO_BACKEND;
  b.cookie = 0;
  auto& v = (*s)->backends;
  v.insert(std::upper_bound(v.begin(), v.end(), b,
                            [](const Backend& x, const Backend& y) { return x.addr < y.addr; }),
           std::move(b));
  XLB_TRY(validate_service(**s));
  return validate_tunnel_sources(c.settings, **s);
}

namespace {

Result<Backend*> find_backend(Config& c, const ServiceRef& ref, const IpAddr& a) {
  auto s = find_service(c, ref);
  if (!s) return s.error();
  Backend* b = (*s)->find_backend(a);
  if (!b) return runtime_error("no such backend: " + a.str() + " in service " + (*s)->name);
  return b;
}

}  // namespace

Status backend_set_weight(Config& c, const ServiceRef& ref, const IpAddr& a, uint32_t w) {
  auto b = find_backend(c, ref, a);
  if (!b) return b.error();
  // An effective weight keeps its load factor: it scales with the weight.
  Backend& be = **b;
  be.effective_weight =
      be.weight ? static_cast<uint32_t>(uint64_t{be.effective_weight} * w / be.weight) : 0;
  be.weight = w;
  return {};
}

Status backend_set_priority(Config& c, const ServiceRef& ref, const IpAddr& a, uint32_t p) {
  auto b = find_backend(c, ref, a);
  if (!b) return b.error();
  (*b)->priority = p;
  return {};
}

Status backend_set_mac(Config& c, const ServiceRef& ref, const IpAddr& a, const MacAddr& m) {
  auto b = find_backend(c, ref, a);
  if (!b) return b.error();
  (*b)->mac = m;
  (*b)->mac_explicit = true;
  return {};
}

Status backend_set_egress(Config& c, const ServiceRef& ref, const IpAddr& a,
                          const std::optional<std::string>& dev, std::optional<uint16_t> vlan) {
  auto b = find_backend(c, ref, a);
  if (!b) return b.error();
  if (dev) (*b)->dev = *dev;
  if (vlan) (*b)->vlan = *vlan;
  return {};
}

Status backend_set_admin(Config& c, const ServiceRef& ref, const IpAddr& a, Admin st) {
  auto b = find_backend(c, ref, a);
  if (!b) return b.error();
  (*b)->admin = st;
  return {};
}

Status backend_set_health(Config& c, const ServiceRef& ref, const IpAddr& a, Health h) {
  auto b = find_backend(c, ref, a);
  if (!b) return b.error();
  (*b)->health = h;
  return {};
}

Status backend_del(Config& c, const ServiceRef& ref, const IpAddr& a) {
  auto s = find_service(c, ref);
  if (!s) return s.error();
  if (!(*s)->find_backend(a))
    return runtime_error("no such backend: " + a.str() + " in service " + (*s)->name);
  std::erase_if((*s)->backends, [&](const Backend& b) { return b.addr == a; });
  return {};
}

std::string CheckSelector::str() const {
  return index ? "#" + std::to_string(index) : to_string(type);
}

Status check_add(Config& c, const ServiceRef& ref, const Check& check) {
  auto s = find_service(c, ref);
  if (!s) return s.error();
  if (std::find((*s)->checks.begin(), (*s)->checks.end(), check) != (*s)->checks.end())
    return runtime_error("service " + (*s)->name + " already has this check");
  (*s)->checks.push_back(check);
  return validate_service(**s);
}

namespace {

bool selected_any(const std::vector<Check>& checks, const CheckSelector& w) {
  if (w.index) return w.index <= checks.size();
  return std::any_of(checks.begin(), checks.end(),
                     [&](const Check& c) { return c.type == w.type; });
}

bool selected(const Check& ch, size_t index, const std::vector<CheckSelector>& which) {
  if (which.empty()) return true;
  return std::any_of(which.begin(), which.end(), [&](const CheckSelector& w) {
    return w.index ? w.index == index : w.type == ch.type;
  });
}

}  // namespace

Status check_del(Config& c, const ServiceRef& ref, const std::vector<CheckSelector>& which) {
  auto s = find_service(c, ref);
  if (!s) return s.error();
  auto& checks = (*s)->checks;
  for (const auto& w : which)
    if (!selected_any(checks, w))
      return runtime_error("service " + (*s)->name + " has no check " + w.str());
  std::vector<Check> kept;
  for (size_t i = 0; i < checks.size(); i++)
    if (!selected(checks[i], i + 1, which)) kept.push_back(checks[i]);
  checks = std::move(kept);
  return {};
}

Status settings_set_seed(Config& c, uint32_t seed) {
  c.settings.seed = seed;
  return {};
}

std::string to_string(TunnelSetting t) {
  static const char* const names[] = {"source4", "source6", "gateway4", "gateway6"};
  return names[static_cast<int>(t)];
}

std::optional<TunnelSetting> parse_tunnel_setting(std::string_view s) {
  for (TunnelSetting t : {TunnelSetting::source4, TunnelSetting::source6, TunnelSetting::gateway4,
                          TunnelSetting::gateway6})
    if (s == to_string(t)) return t;
  return std::nullopt;
}

int setting_family(TunnelSetting t) {
  return t == TunnelSetting::source6 || t == TunnelSetting::gateway6 ? XLB_AF_INET6 : XLB_AF_INET;
}

namespace {

std::optional<IpAddr>& setting_field(Settings& st, TunnelSetting t) {
  switch (t) {
    case TunnelSetting::source4:
      return st.source4;
    case TunnelSetting::source6:
      return st.source6;
    case TunnelSetting::gateway4:
      return st.gateway4;
    case TunnelSetting::gateway6:
      break;
  }
  return st.gateway6;
}

}  // namespace

Status settings_set_tunnel(Config& c, TunnelSetting t, const std::optional<IpAddr>& a) {
  if (a && a->family != setting_family(t))
    return usage_error(to_string(t) + " must be an " +
                       (setting_family(t) == XLB_AF_INET ? "IPv4" : "IPv6") + " address, not " +
                       a->str());
  if (a && *a == IpAddr{a->family, {}})
    return usage_error(to_string(t) +
                       " cannot be the unspecified address (unset it with: xlb set " +
                       to_string(t) + " none)");
  Settings next = c.settings;
  setting_field(next, t) = a;
  // Unsetting a source that a tunnel service still needs is refused.
  for (const auto& s : c.services) XLB_TRY(validate_tunnel_sources(next, s));
  c.settings = next;
  return {};
}

Status settings_set_nat(Config& c, const IpPrefix& range) {
  (range.addr.is_v6() ? c.settings.nat6 : c.settings.nat4) = range;
  return {};
}

Status settings_set_timeouts(Config& c, const TimeoutChange& t) {
  FlowTimeouts next = c.settings.timeouts;
  for (auto [v, field] : {std::pair{t.tcp, &next.tcp}, std::pair{t.tcp_syn, &next.tcp_syn},
                          std::pair{t.udp, &next.udp}}) {
    if (!v) continue;
    if (*v < 1 || *v > kMaxFlowTimeout)
      return usage_error("timeout " + std::to_string(*v) + "s out of range (1s to " +
                         format_timeout(kMaxFlowTimeout) + ")");
    *field = *v;
  }
  c.settings.timeouts = next;
  return {};
}

Status settings_set_icmp_echo(Config& c, bool on) {
  c.settings.icmp_echo = on;
  return {};
}

Status settings_set_flow_guard(Config& c, uint32_t per_second) {
  c.settings.flow_guard = per_second;
  return {};
}

void flush_ruleset(Config& c) {
  c.services.clear();
  c.filters.clear();
  c.settings = Settings{};
}

}  // namespace xlb
