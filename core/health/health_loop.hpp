// The event loop of the probes: many probes in flight at once on one epoll
// instance, each with its own deadline.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "base/result.hpp"
#include "health/health_probe.hpp"

namespace xlb {

using HealthClock = std::chrono::steady_clock;

struct ProbeDone {
  uint64_t token;  // what the caller gave to add()
  ProbeResult result;
};

class ProbeLoop {
 public:
  static Result<ProbeLoop> create();
  ProbeLoop(ProbeLoop&& o) noexcept;
  ProbeLoop& operator=(ProbeLoop&&) = delete;
  ~ProbeLoop();

  // Starts `p`; its result comes back from wait() (a timeout at `deadline`
  // at the latest), or at once in `done` when it finished on start.
  void add(uint64_t token, std::unique_ptr<Probe> p, HealthClock::time_point deadline,
           std::vector<ProbeDone>& done);
  // Waits until `until` or until some probe finishes or times out (an
  // interrupting signal ends the wait early, with nothing done).
  std::vector<ProbeDone> wait(HealthClock::time_point until);
  size_t running() const { return running_.size(); }
  // Makes wait() return early when `fd` (not a probe's) becomes readable;
  // the caller reads it.
  void watch(int fd);
  // The earliest deadline of a running probe (`until` when none is sooner).
  HealthClock::time_point next_deadline(HealthClock::time_point until) const;

 private:
  explicit ProbeLoop(int epfd) : epfd_(epfd) {}
  struct Running {
    uint64_t token;
    std::unique_ptr<Probe> probe;
    HealthClock::time_point deadline;
    uint32_t events;
  };
  void finish(int fd, ProbeResult r, std::vector<ProbeDone>& done);
  void step(int fd, uint32_t events, std::vector<ProbeDone>& done);
  void expire(HealthClock::time_point now, std::vector<ProbeDone>& done);

  int epfd_ = -1;
  std::map<int, Running> running_;  // by socket
};

}  // namespace xlb
