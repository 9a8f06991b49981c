// xlb-healthd's rounds: read the configuration from the pins, probe, write
// the health transitions of the round in one transaction, export the
// announced VIPs (BIRD include file and/or kernel table) and the metrics,
// and sweep expired entries out of the flow table.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/addr.hpp"
#include "base/result.hpp"

namespace xlb {

class State;
class HealthChecker;
struct Config;

struct HealthdOptions {
  std::string pin_path = "/sys/fs/bpf/xlb";
  bool once = false;         // one round: every check probed once, then return
  bool direct = false;       // probe backend addresses, not NAT addresses
  std::string bird_include;  // mode (a) when set
  std::string bird_socket;   // birdc -s (empty: birdc's default)
  std::string birdc = "birdc";
  std::optional<uint32_t> kernel_table;  // mode (b) when set
  uint8_t kernel_proto = 250;
  bool withdraw_on_exit = true;
  std::string textfile;     // node_exporter textfile when set
  bool ipvs_names = false;  // textfile: node_exporter's node_ipvs_* families too
};

class Healthd {
 public:
  using Log = std::function<void(const std::string&)>;
  Healthd(HealthdOptions opts, Log log, Log debug)
      : opts_(std::move(opts)), log_(std::move(log)), debug_(std::move(debug)) {}

  // Runs rounds until `stop` is set (or one round with `once`). Errors that
  // a later round may cure (BIRD down, a busy writer) are logged, not
  // returned; an unreadable state is returned.
  // `reload` (SIGHUP) is cleared and `on_reload` called at the next round:
  // the configuration is re-read from the pins every round anyway.
  // `alive` is called once the pins are open and then at every turn of the
  // event loop (at least once a second): the service manager's readiness
  // and watchdog notification.
  Status run(const std::atomic<bool>& stop, std::atomic<bool>& reload,
             const std::function<void()>& on_reload, const std::function<void()>& alive = {});
  // Removes every exported route (the include file gets empty sets).
  void withdraw();

 private:
  void export_vips(const std::vector<IpPrefix>& vips);
  void write_metrics(const State& st, const HealthChecker& checker);
  void sweep_flows(const State& st);
  // Dynamic weights: at most every kWeightsEvery; true when it wrote.
  bool follow_weights(State& st, const Config& cfg, const HealthChecker& checker);

  HealthdOptions opts_;
  Log log_, debug_;
  std::optional<std::vector<IpPrefix>> exported_;  // what BIRD / the kernel have
  std::chrono::steady_clock::time_point metrics_at_{};
  std::chrono::steady_clock::time_point swept_at_{};
  std::chrono::steady_clock::time_point weighed_at_{};
};

}  // namespace xlb
