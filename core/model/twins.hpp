// The services and backends of one configuration, found by what names them
// in another: a service by name, a backend by its service and address. A
// commit pairs each service and backend of `next` with its twin in `live`.
// Config::find_service and Service::find_backend walk lists, so such a pass
// made about a million comparisons beside 1,000 services, or for one
// service of 1,000 backends; here each is one hash lookup.
//
// Holds pointers into the configuration: valid while it is not changed.
#pragma once

#include <cstddef>
#include <string_view>
#include <unordered_map>

#include "model/model.hpp"

namespace xlb {

class Twins {
 public:
  explicit Twins(const Config& c);

  const Service* service(std::string_view name) const;
  // The backend at `addr` of the service named `service`; null when either
  // is not there.
  const Backend* backend(std::string_view service, const IpAddr& addr) const;

 private:
  struct BackendKey {
    const Service* service;
    IpAddr addr;
    bool operator==(const BackendKey&) const = default;
  };
  struct BackendHash {
    size_t operator()(const BackendKey& k) const;
  };

  std::unordered_map<std::string_view, const Service*> services_;
  std::unordered_map<BackendKey, const Backend*, BackendHash> backends_;
};

}  // namespace xlb
