#include "model/twins.hpp"

#include <functional>
#include <string_view>

namespace xlb {

// Names and addresses are unique in a valid configuration; where they are
// not (one being validated), the same one wins as with the lists: the last
// service of a name (Config::find_service walks from the end), the first
// backend at an address.
Twins::Twins(const Config& c) {
  size_t backends = 0;
  for (const auto& s : c.services) backends += s.backends.size();
  services_.reserve(c.services.size());
  backends_.reserve(backends);
  for (const auto& s : c.services) {
    services_[s.name] = &s;
    for (const auto& b : s.backends) backends_.try_emplace(BackendKey{&s, b.addr}, &b);
  }
}

const Service* Twins::service(std::string_view name) const {
  auto it = services_.find(name);
  return it == services_.end() ? nullptr : it->second;
}

const Backend* Twins::backend(std::string_view service, const IpAddr& addr) const {
  const Service* s = this->service(service);
  if (!s) return nullptr;
  auto it = backends_.find(BackendKey{s, addr});
  return it == backends_.end() ? nullptr : it->second;
}

size_t Twins::BackendHash::operator()(const BackendKey& k) const {
  const std::string_view bytes(reinterpret_cast<const char*>(k.addr.bytes.data()),
                               k.addr.bytes.size());
  return std::hash<std::string_view>{}(bytes) ^ std::hash<const Service*>{}(k.service) ^
         static_cast<size_t>(k.addr.family);
}

}  // namespace xlb
