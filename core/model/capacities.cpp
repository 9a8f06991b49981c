#include "model/capacities.hpp"

#include <set>
#include <string>
#include <utility>

#include "model/model.hpp"
#include "model/twins.hpp"

namespace xlb {

Capacities CapacityChoice::or_defaults() const {
  Capacities d;
  return {services.value_or(d.services), backends.value_or(d.backends), flows.value_or(d.flows)};
}

Status check_capacity_choice(const CapacityChoice& want, const Capacities& have,
                             const std::string& pin_path) {
  std::string differ;
  auto compare = [&](const char* name, std::optional<uint32_t> w, uint32_t h) {
    if (w && *w != h)
      differ += std::string(differ.empty() ? "" : ", ") + name + " " + std::to_string(*w) +
                " (they hold " + std::to_string(h) + ")";
  };
  compare("services", want.services, have.services);
  compare("backends", want.backends, have.backends);
  compare("flows", want.flows, have.flows);
  if (differ.empty()) return {};
  return usage_error("the maps at " + pin_path + " already exist with services " +
                     std::to_string(have.services) + ", backends " + std::to_string(have.backends) +
                     ", flows " + std::to_string(have.flows) + "; cannot attach with " + differ +
                     ": capacities are fixed when the maps are created (to change them: save `xlb "
                     "list ruleset`, detach every interface, remove " +
                     pin_path + ", attach again with the new sizes, apply the saved ruleset)");
}

Error capacity_exhausted(const char* what, uint32_t limit) {
  return runtime_error(std::string("capacity exhausted: ") + what + " (" + std::to_string(limit) +
                       "); re-create the pins with a larger capacity");
}

Status check_id_capacity(const Config& live, const Config& next, const Capacities& caps) {
  size_t services = live.services.size(), backends = 0;
  for (const auto& s : live.services) backends += s.backends.size();
  const Twins twins(live);
  for (const auto& s : next.services) {
    if (!twins.service(s.name)) services++;
    for (const auto& b : s.backends)
      if (!twins.backend(s.name, b.addr)) backends++;
  }
  if (services > caps.services) return capacity_exhausted("services", caps.services);
  if (backends > caps.backends) return capacity_exhausted("backends", caps.backends);
  return {};
}

uint64_t service_map_entries(const Config& c) {
  uint64_t n = 0;
  std::set<IpAddr> vips;
  for (const auto& s : c.services) {
    n += s.port_entries();
    if (!s.vip_len) vips.insert(s.vip);  // a prefix VIP is in its own map
  }
  return n + vips.size();
}

Status check_service_map_capacity(const Config& next, const Capacities& caps) {
  const uint64_t need = service_map_entries(next), room = 2ull * caps.services;
  if (need <= room) return {};
  return runtime_error("capacity exhausted: the services' ports and VIPs need " +
                       std::to_string(need) + " entries of the service map, which holds " +
                       std::to_string(room) + " (2 x services " + std::to_string(caps.services) +
                       "; each port of a range takes one); use fewer ports or port 0 (every "
                       "port), or re-create the pins with a larger services capacity");
}

}  // namespace xlb
