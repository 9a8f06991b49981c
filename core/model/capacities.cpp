#include "model/capacities.hpp"

#include <string>

#include "model/model.hpp"

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
  for (const auto& s : next.services) {
    const Service* old = live.find_service(s.name);
    if (!old) services++;
    for (const auto& b : s.backends)
      if (!old || !old->find_backend(b.addr)) backends++;
  }
  if (services > caps.services) return capacity_exhausted("services", caps.services);
  if (backends > caps.backends) return capacity_exhausted("backends", caps.backends);
  return {};
}

}  // namespace xlb
