// xlb-syncd: flow sync between load balancers behind ECMP. The logic is in
// core/sync/syncd.hpp; here: options, signals and logging. SIGTERM and
// SIGINT stop it, and stopping turns the datapath's export off. A syncd
// killed with SIGKILL cannot: `xlb-syncd --stop-export` (the unit's
// ExecStopPost) does it for it.
#include <syslog.h>
#ifdef XLB_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <iostream>

#include "daemon_cli.hpp"
#include "stop_signals.hpp"
#include "sync/export.hpp"
#include "sync/syncd.hpp"

namespace {

void install_signals() {
  xlb::cli::stop_on_signals();
  std::signal(SIGPIPE, SIG_IGN);
}

struct Cli {
  xlb::sync::SyncdOptions opts;
  bool syslog = false;
  bool no_bulk = false;
  bool stop_export = false;
  uint32_t id = 0;
};

void define_options(CLI::App& app, Cli& c) {
  const char* env = std::getenv("XLB_PIN_PATH");
  if (env && *env) c.opts.pin_path = env;
  app.add_option("--pin-path", c.opts.pin_path, "bpffs directory of xlb's state")
      ->envname("XLB_PIN_PATH");
  auto* key =
      app.add_option("--key", c.opts.key_file, "file with the shared secret (at least 16 bytes)");
  app.add_option("--peer", c.opts.peers, "a peer load balancer's address (repeatable)");
  app.add_option("--listen", c.opts.listen, "local address to receive on (default: any)");
  app.add_option("--port", c.opts.port, "UDP port (default 8848)")->check(CLI::Range(1, 65535));
  app.add_option("--group", c.opts.group, "multicast group to send to and receive from");
  app.add_option("--dev", c.opts.dev, "interface of the multicast group");
  app.add_option("--interval", c.opts.interval,
                 "seconds between exports of one long-lived flow (default 5)")
      ->check(CLI::Range(1, 3600));
  app.add_option("--bulk-size", c.opts.batch, "flows per datagram (default 22: one 1500 MTU)")
      ->check(CLI::Range(1, static_cast<int>(xlb::sync::kMaxBatch)));
  app.add_option("--id", c.id, "this syncd's sender id (default: random)")
      ->check(CLI::Range(1u, 0xffffffffu));
  app.add_flag("--no-bulk", c.no_bulk, "do not ask the peers for their flows at start");
  app.add_flag("--syslog", c.syslog, "log to syslog as well as stderr");
  // The one-shot clean-up takes the daemon's options (the unit passes the
  // same ones) and uses only --pin-path.
  app.add_flag("--stop-export", c.stop_export,
               "turn the datapath's export off and exit (after a syncd was killed)");
  app.callback([&c, key] {
    if (!c.stop_export && key->count() == 0) throw CLI::RequiredError("--key");
  });
  app.set_version_flag("--version", std::string("xlb-syncd ") + XLB_VERSION);
}

int stop_export(const std::string& pin_path) {
  xlb::Status s = xlb::sync::set_export(pin_path, false, 1);
  if (s) return 0;
  std::cerr << "xlb-syncd: error: " << s.error().message << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {  // NOLINT(bugprone-exception-escape)
  CLI::App app{"xlb-syncd: flow sync between xlb load balancers"};
  Cli c;
  define_options(app, c);
  if (auto rc = xlb::parse_daemon_cli(app, argc, argv, "xlb-syncd")) return *rc;
  if (c.stop_export) return stop_export(c.opts.pin_path);
  c.opts.sender = c.id;
  c.opts.bulk_on_start = !c.no_bulk;
  if (c.syslog) openlog("xlb-syncd", LOG_PID, LOG_DAEMON);
  install_signals();
  auto log = [&](const std::string& m) {
    if (c.syslog) ::syslog(LOG_NOTICE, "%s", m.c_str());
    std::cerr << "xlb-syncd: " << m << std::endl;
  };
  bool ready = false;
  xlb::Status s = xlb::sync::run_syncd(c.opts, xlb::cli::stop_requested(), log, [&] {
#ifdef XLB_HAVE_SYSTEMD
    sd_notify(0, ready ? "WATCHDOG=1" : "READY=1\nSTATUS=syncing");
#endif
    ready = true;
  });
  if (!s) {
    std::cerr << "xlb-syncd: error: " << s.error().message << "\n";
    return s.error().kind == xlb::ErrorKind::usage ? 2 : 1;
  }
  return 0;
}
