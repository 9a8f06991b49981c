// The UDP socket of xlb-syncd: bound to the sync port, joined to the
// multicast group when there is one, sending to every peer.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/addr.hpp"
#include "base/result.hpp"

namespace xlb::sync {

struct SockAddr {
  sockaddr_storage ss{};
  socklen_t len = 0;
};

struct TransportOptions {
  std::vector<IpAddr> peers;
  std::optional<IpAddr> listen;
  std::optional<IpAddr> group;
  std::string dev;
  uint16_t port = 0;
};

class Transport {
 public:
  static Result<Transport> open(const TransportOptions& o);
  Transport(Transport&&) noexcept;
  Transport& operator=(Transport&&) = delete;
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;
  ~Transport();

  int fd() const { return fd_; }
  // Sends one datagram to every peer (and the group); datagrams that fail
  // to leave are counted, not fatal.
  uint64_t send_all(std::span<const uint8_t> d);
  bool send_to(const SockAddr& to, std::span<const uint8_t> d);
  // One waiting datagram into buf (its size), with its source; false when
  // none waits.
  bool receive(std::vector<uint8_t>& buf, SockAddr& from);

 private:
  Transport() = default;
  int fd_ = -1;
  std::vector<SockAddr> dests_;
};

}  // namespace xlb::sync
