// The scheduler of xlb-healthd: one task per (service, backend, check),
// each probed every `interval` (first start jittered over one interval),
// fed to its rise/fall state machine. A backend is up when every check of
// its service is up; a service without checks has its backends up.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "health/health_fsm.hpp"
#include "health/health_loop.hpp"
#include "model/model.hpp"

namespace xlb {

struct CheckerOptions {
  // Probe the backend's own address instead of its health-check NAT
  // address (tests, and setups without the NAT path).
  bool direct = false;
  bool jitter = true;  // off for --once: every probe starts at once
  // Probes in flight at most (each holds a socket); due probes beyond it
  // wait for a free slot rather than fail for lack of file descriptors.
  size_t max_in_flight = 4096;
};

// One backend's wanted health, and why (for the log).
struct HealthChange {
  std::string service;
  IpAddr backend;
  Health health;
};

class HealthChecker {
 public:
  using Log = std::function<void(const std::string&)>;
  HealthChecker(ProbeLoop loop, CheckerOptions opts, Log log, Log debug)
      : loop_(std::move(loop)), opts_(opts), log_(std::move(log)), debug_(std::move(debug)) {}

  // Follows the configuration: new tasks start from the backend's current
  // health; tasks of removed backends or checks are dropped.
  void sync(const Config& cfg);
  // Starts the probes that are due, then waits for results until `until`
  // at the latest, and feeds them to the state machines.
  void step(HealthClock::time_point until);
  // Every task's first probe has completed (for --once).
  bool all_probed() const;
  bool idle() const { return loop_.running() == 0; }
  // See ProbeLoop::watch.
  void watch(int fd) { loop_.watch(fd); }
  // The backends whose wanted health differs from `cfg`.
  std::vector<HealthChange> changes(const Config& cfg) const;
  // Failed probes so far, per (service, backend address).
  const std::map<std::pair<std::string, IpAddr>, uint64_t>& failures() const { return failures_; }
  HealthClock::time_point next_due() const;
  // The smoothed round trip of a backend's successful probes (the mean over
  // its service's checks that have one), in microseconds; none before the
  // first success (weights response).
  std::optional<double> response_us(const std::string& service, const IpAddr& backend) const;

 private:
  using Key = std::tuple<std::string, IpAddr, size_t>;  // service, backend, check index
  struct Task {
    Check check;
    Endpoint target;
    std::string what;  // "tcp 192.0.2.10:80", for the log
    CheckFsm fsm;
    HealthClock::time_point due;
    bool running = false;
    uint64_t probes = 0;
    HealthClock::time_point started{};
    // The round trip of its successful probes, smoothed (weights response).
    std::optional<double> response_us;
  };
  void add_task(const Key& k, const Settings& s, const Service& svc, const Backend& b, size_t i);
  void start_due(HealthClock::time_point now);
  void complete(const ProbeDone& d);
  static void record_response(Task& t);
  void log_transition(const Key& k, const Task& t, const ProbeResult& r);

  ProbeLoop loop_;
  CheckerOptions opts_;
  Log log_, debug_;
  std::map<Key, Task> tasks_;
  std::map<uint64_t, Key> in_flight_;  // token -> task of the probe
  uint64_t next_token_ = 0;
  std::map<std::pair<std::string, IpAddr>, uint64_t> failures_;
};

}  // namespace xlb
