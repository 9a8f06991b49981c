// xlb-healthd: health checks for xlb's backends and BIRD route export of
// the healthy VIPs. The logic is in core/health/healthd.hpp; here: options,
// signals and logging.
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
#include "health/healthd.hpp"

namespace {

std::atomic<bool> g_stop{false};
std::atomic<bool> g_reload{false};

void on_signal(int sig) {
  if (sig == SIGHUP)
    g_reload = true;
  else
    g_stop = true;
}

// No SA_RESTART: the wait for probes returns at once on a signal.
void install_signals() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaction(s, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

struct Logging {
  bool verbose = false;
  bool syslog = false;
  void line(int prio, const std::string& msg) const {
    if (syslog) ::syslog(prio, "%s", msg.c_str());
    std::cerr << msg << std::endl;
  }
};

struct Cli {
  xlb::HealthdOptions opts;
  Logging logging;
  std::string withdraw = "yes";
  int proto = 250;
  int64_t table = -1;
};

void define_options(CLI::App& app, Cli& c) {
  const char* env = std::getenv("XLB_PIN_PATH");
  if (env && *env) c.opts.pin_path = env;
  app.add_option("--pin-path", c.opts.pin_path, "bpffs directory of xlb's state")
      ->envname("XLB_PIN_PATH");
  app.add_flag("--once", c.opts.once, "probe every check once, write, export, exit");
  app.add_flag("--direct", c.opts.direct,
               "probe backend addresses instead of health-check NAT addresses");
  app.add_option("--bird-include", c.opts.bird_include,
                 "write `define XLB_VIPS = [...]` here and run birdc configure");
  app.add_option("--bird-socket", c.opts.bird_socket, "BIRD control socket (birdc -s)");
  app.add_option("--birdc", c.opts.birdc, "the birdc program");
  app.add_option("--kernel-table", c.table, "install VIP blackhole routes in this table")
      ->check(CLI::Range(1, 0x7fffffff));
  app.add_option("--proto", c.proto, "rtm_protocol of those routes (default 250)")
      ->check(CLI::Range(1, 255));
  app.add_option("--withdraw-on-exit", c.withdraw, "withdraw the VIPs on SIGTERM (yes|no)")
      ->check(CLI::IsMember({"yes", "no"}));
  app.add_option("--textfile", c.opts.textfile, "node_exporter textfile to write each round");
  app.add_flag("--ipvs-names", c.opts.ipvs_names,
               "textfile: node_exporter's node_ipvs_* metrics too (IPVS dashboards)");
  app.add_flag("--syslog", c.logging.syslog, "log to syslog as well as stderr");
  app.add_flag("-v,--verbose", c.logging.verbose, "log every probe");
  app.set_version_flag("--version", std::string("xlb-healthd ") + XLB_VERSION);
}

// Type=notify: READY=1 the first time the event loop turns (the pins are
// open), then WATCHDOG=1 at each turn, so a hung loop gets the daemon
// restarted. Without NOTIFY_SOCKET (not under systemd) this does nothing.
struct ServiceManager {
  bool ready = false;
  void alive() {
#ifdef XLB_HAVE_SYSTEMD
    sd_notify(0, ready ? "WATCHDOG=1" : "READY=1\nSTATUS=probing");
#endif
    ready = true;
  }
};

}  // namespace

// An exception that escapes (bad_alloc) ends the daemon through terminate():
// systemd restarts it.
int main(int argc, char** argv) {  // NOLINT(bugprone-exception-escape)
  CLI::App app{"xlb-healthd: health checks and VIP announcement for xlb"};
  Cli c;
  define_options(app, c);
  if (auto rc = xlb::parse_daemon_cli(app, argc, argv, "xlb-healthd")) return *rc;
  if (c.table >= 0) c.opts.kernel_table = static_cast<uint32_t>(c.table);
  c.opts.kernel_proto = static_cast<uint8_t>(c.proto);
  c.opts.withdraw_on_exit = c.withdraw == "yes";
  if (c.logging.syslog) openlog("xlb-healthd", LOG_PID, LOG_DAEMON);
  install_signals();
  const Logging& lg = c.logging;
  xlb::Healthd d(
      c.opts, [&](const std::string& m) { lg.line(LOG_NOTICE, m); },
      [&](const std::string& m) {
        if (lg.verbose) lg.line(LOG_DEBUG, m);
      });
  ServiceManager manager;
  xlb::Status s = d.run(
      g_stop, g_reload, [&] { lg.line(LOG_NOTICE, "SIGHUP: configuration re-read from the pins"); },
      [&] { manager.alive(); });
  if (g_stop && c.opts.withdraw_on_exit) d.withdraw();
  if (!s) {
    std::cerr << "xlb-healthd: error: " << s.error().message << "\n";
    return 1;
  }
  return 0;
}
