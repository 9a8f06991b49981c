// A flow's stable identity (service VIP, protocol and port, backend address)
// to this load balancer's backend id and cookie, and back. Built from the
// committed model; rebuilt when its generation changes.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <tuple>
#include <vector>

#include "model/model.hpp"
#include "sync/wire.hpp"

namespace xlb::sync {

struct LocalBackend {
  uint32_t id = XLB_NO_BACKEND;
  uint32_t cookie = 0;
};

struct Identity {
  Proto proto = Proto::tcp;
  IpAddr vip;
  uint8_t vip_len = 0;  // a prefix VIP: vip/vip_len
  uint16_t svc_port = 0;
  IpAddr backend;
  auto operator<=>(const Identity&) const = default;  // NOLINT(modernize-use-nullptr)
};

class Resolver {
 public:
  explicit Resolver(const Config& c);
  // The local backend a peer's flow names; nullopt: no such service or
  // backend here.
  std::optional<LocalBackend> local(const FlowRecord& r) const;
  // The identity of a local backend id while `cookie` is its current one
  // (for flows read from the table); null otherwise.
  const Identity* identity(uint32_t backend_id, uint32_t cookie) const;
  size_t size() const { return by_identity_.size(); }

 private:
  std::map<Identity, LocalBackend> by_identity_;
  std::map<uint32_t, std::pair<uint32_t, Identity>> by_id_;  // id -> cookie, identity
  // Services with several ports: a peer's flow names the port it was for
  // (443), the identity the service's first port (80).
  struct Multiport {
    Proto proto;
    IpPrefix vip;  // len 0: an exact VIP
    PortSet ports;
    uint16_t first;
  };
  std::vector<Multiport> multiport_;
  // The services' VIPs alone (no backends): a flow's destination to the
  // VIP it is for, as the datapath finds it (an address of a prefix VIP).
  Config vips_;
  uint16_t service_port(Proto p, const IpPrefix& vip, uint16_t port) const;
};

}  // namespace xlb::sync
