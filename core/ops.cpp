#include "ops.hpp"

#include <algorithm>

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
  if (const Service* o = c.find_service(s.proto, s.vip, s.port))
    return runtime_error("service " + s.spec() + " already exists as " + o->name);
  XLB_TRY(validate_service(s));
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
  if (ch.forward) (*s)->forward = *ch.forward;
  return validate_service(**s);
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
  return validate_service(**s);
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
  (*b)->weight = w;
  return {};
}

Status backend_set_mac(Config& c, const ServiceRef& ref, const IpAddr& a, const MacAddr& m) {
  auto b = find_backend(c, ref, a);
  if (!b) return b.error();
  (*b)->mac = m;
  (*b)->mac_explicit = true;
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

Status settings_set_seed(Config& c, uint32_t seed) {
  c.settings.seed = seed;
  return {};
}

Status settings_set_nat(Config& c, const IpPrefix& range) {
  (range.addr.is_v6() ? c.settings.nat6 : c.settings.nat4) = range;
  return {};
}

void flush_ruleset(Config& c) {
  c.services.clear();
  c.settings = Settings{};
}

}  // namespace xlb
