// xlb-healthd's share of next-hop maintenance: refresh rounds
// (state/next_hops.hpp) on rtnetlink neighbour, link and route events,
// rate-limited, and one every second that triggers ARP/ND for unresolved
// backends (so one that comes up joins within seconds) and, every ten
// seconds, for stale entries (so one that went away is found out).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "health/health_loop.hpp"
#include "net/events.hpp"

namespace xlb {

class State;

class NextHopFollower {
 public:
  using Log = std::function<void(const std::string&)>;
  explicit NextHopFollower(Log log) : log_(std::move(log)) {}

  // Subscribes to the events; without them (logged) rounds stay periodic.
  void open();
  // The events socket for the probe loop's epoll (-1 when none).
  int fd() const { return events_ ? events_->fd() : -1; }
  // Runs a round when one is due; true when it committed changes.
  bool step(State& st);

 private:
  Log log_;
  std::optional<NetEvents> events_;
  bool dirty_ = true;
  HealthClock::time_point last_round_{}, last_probe_{}, last_stale_probe_{};
};

}  // namespace xlb
