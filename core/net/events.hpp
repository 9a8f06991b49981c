// rtnetlink change notifications: neighbour, link and route events, for a
// daemon that keeps state derived from them (xlb-healthd's next hops).
#pragma once

#include "base/result.hpp"
#include "net/netlink.hpp"

namespace xlb {

class NetEvents {
 public:
  // A non-blocking socket subscribed to neighbour, link and IPv4/IPv6 route
  // changes (IPv6 groups are skipped where the host has no IPv6).
  static Result<NetEvents> open();
  // For an epoll loop: readable when events are pending.
  int fd() const;
  // Reads every pending event; true when any arrived (or some were lost
  // because the socket's buffer overflowed: the caller must re-read).
  bool drain();

 private:
  explicit NetEvents(NlSock s) : sock_(std::move(s)) {}
  NlSock sock_;
};

}  // namespace xlb
