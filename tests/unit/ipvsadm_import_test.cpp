#include "config/ipvsadm_import.hpp"

#include "config/lexer.hpp"
#include "config/ruleset.hpp"
#include "model/model.hpp"

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace xlb {
namespace {

using Lines = std::vector<std::string>;

ImportResult import_ok(std::string_view text) {
  SourceError err;
  auto r = import_ipvsadm(text, "rules", &err);
  EXPECT_TRUE(r.ok()) << render_error(err);
  return r.ok() ? *r : ImportResult{};
}

// The commands of the ruleset: no comments, blank lines or flush ruleset.
Lines commands(std::string_view text) {
  std::istringstream in(import_ok(text).ruleset);
  Lines out;
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line[0] != '#' && line != "flush ruleset") out.push_back(line);
  return out;
}

Lines warnings(std::string_view text) { return import_ok(text).warnings; }

// "LINE:COL+LENGTH message", checking the one-line form agrees.
std::string import_error(std::string_view text) {
  SourceError err;
  auto r = import_ipvsadm(text, "rules", &err);
  if (r.ok()) return "no error";
  EXPECT_EQ(r.error().kind, ErrorKind::usage);
  EXPECT_EQ(r.error().message, to_error(err).message);
  return std::to_string(err.pos.line) + ":" + std::to_string(err.pos.col) + "+" +
         std::to_string(err.length) + " " + err.message;
}

std::string read_example(const std::string& name) {
  const auto path = std::filesystem::path(__FILE__).parent_path() / "../../examples" / name;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(IpvsadmImport, ConventionsExample) {
  // A service of every kind, as `ipvsadm -S -n` prints it.
  auto r = import_ok(
      "-A -t 192.0.2.10:80 -s mh -b mh-fallback,mh-port\n"
      "-a -t 192.0.2.10:80 -r 10.0.0.1:80 -g -w 100\n"
      "-a -t 192.0.2.10:80 -r 10.0.0.2:80 -g -w 0\n"
      "-A -t 192.0.2.11:443 -s wlc -p 300\n"
      "-a -t 192.0.2.11:443 -r 10.0.2.1:443 -i -w 1\n");
  EXPECT_EQ(r.ruleset,
            "# imported from rules by xlb import ipvsadm\n"
            "# warning: rules:4: scheduler wlc is not available: imported as sched mh (Maglev "
            "hashing of the connection, by weight)\n"
            "# warning: rules:4: tunnel service tcp 192.0.2.11:443 written as comments: no outer "
            "source address (no route to its real servers here); add `set source4 ADDR` after "
            "`flush ruleset` and uncomment it\n"
            "flush ruleset\n"
            "\n"
            "service add tcp-192.0.2.10-80 tcp 192.0.2.10:80 sched mh\n"
            "backend add tcp-192.0.2.10-80 10.0.0.1 weight 100\n"
            "backend add tcp-192.0.2.10-80 10.0.0.2 weight 0\n"
            "\n"
            "# service add tcp-192.0.2.11-443 tcp 192.0.2.11:443 sched mh forward ipip persist 5m\n"
            "# backend add tcp-192.0.2.11-443 10.0.2.1 weight 1\n");
  EXPECT_EQ(r.warnings.size(), 2u);
}

TEST(IpvsadmImport, ExampleFileMatchesItsImport) {
  auto r = import_ipvsadm(read_example("ipvsadm.rules"), "ipvsadm.rules");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->ruleset, read_example("ipvsadm-imported.conf"));
  EXPECT_EQ(r->warnings.size(), 7u);  // -i is now forward ipip: one warning fewer
}

TEST(IpvsadmImport, EmptyInputGivesTheHeaderOnly) {
  EXPECT_EQ(import_ok("").ruleset, "# imported from rules by xlb import ipvsadm\nflush ruleset\n");
  auto stdin_import = import_ipvsadm("\n# nothing\n", "-");
  ASSERT_TRUE(stdin_import.ok());
  EXPECT_EQ(stdin_import->ruleset,
            "# imported from <stdin> by xlb import ipvsadm\nflush ruleset\n");
}

TEST(IpvsadmImport, CommentsBlankLinesIpvsadmWordAndCrLf) {
  EXPECT_EQ(commands("# saved\n\n  ipvsadm -A -t 192.0.2.10:80 -s sh # web\r\n"
                     "ipvsadm -a -t 192.0.2.10:80 -r 10.0.0.1:80 -g -w 3\r\n"),
            (Lines{"service add tcp-192.0.2.10-80 tcp 192.0.2.10:80 sched sh",
                   "backend add tcp-192.0.2.10-80 10.0.0.1 weight 3"}));
}

TEST(IpvsadmImport, Ipv6) {
  auto r = import_ok(
      "-A -u [2001:DB8::10]:53 -s mh -b mh-port\n"
      "-a -u [2001:db8::10]:53 -r [2001:db8:1::a]:53 -g -w 5\n"
      "-a -u [2001:db8::10]:53 -r 2001:db8:1::b -g\n");
  EXPECT_EQ(r.ruleset,
            "# imported from rules by xlb import ipvsadm\nflush ruleset\n\n"
            "service add udp-2001-db8--10-53 udp [2001:db8::10]:53 sched mh\n"
            "backend add udp-2001-db8--10-53 2001:db8:1::a weight 5\n"
            "backend add udp-2001-db8--10-53 2001:db8:1::b weight 1\n");
  EXPECT_TRUE(r.warnings.empty());
}

TEST(IpvsadmImport, LongOptions) {
  EXPECT_EQ(commands("--add-service --udp-service=192.0.2.53:53 --scheduler sh\n"
                     "--add-server --udp-service 192.0.2.53:53 --real-server=10.0.1.1 "
                     "--gatewaying --weight=7\n"),
            (Lines{"service add udp-192.0.2.53-53 udp 192.0.2.53:53 sched sh",
                   "backend add udp-192.0.2.53-53 10.0.1.1 weight 7"}));
}

TEST(IpvsadmImport, ServiceWithoutPortIsEveryPort) {
  EXPECT_EQ(commands("-A -t 192.0.2.10 -s sh -p\n-a -t 192.0.2.10:0 -r 10.0.0.1 -g -w 1\n"),
            (Lines{"service add tcp-192.0.2.10-0 tcp 192.0.2.10 sched sh persist 5m",
                   "backend add tcp-192.0.2.10-0 10.0.0.1 weight 1"}));
}

TEST(IpvsadmImport, SchedulersByWhatTheyHash) {
  const std::string sv = "-A -t 192.0.2.10:80 ";
  EXPECT_EQ(commands(sv + "-s mh -b mh-port"),
            Lines{"service add tcp-192.0.2.10-80 tcp 192.0.2.10:80 sched mh"});
  EXPECT_EQ(warnings(sv + "-s mh -b mh-port,mh-fallback"), Lines{});
  EXPECT_EQ(warnings(sv + "-s sh"), Lines{});
  EXPECT_EQ(warnings(sv + "-s sh -b sh-fallback"), Lines{});
  EXPECT_EQ(commands(sv + "-s mh").at(0),
            "service add tcp-192.0.2.10-80 tcp 192.0.2.10:80 sched sh");
  EXPECT_EQ(warnings(sv + "-s mh -b mh-fallback"),
            Lines{"rules:1: mh without mh-port hashes the client address only: imported as sched "
                  "sh, which does the same"});
  EXPECT_EQ(commands(sv + "-s sh -b sh-port").at(0),
            "service add tcp-192.0.2.10-80 tcp 192.0.2.10:80 sched mh");
  EXPECT_EQ(warnings(sv + "-s sh -b flag-2"),
            Lines{"rules:1: sh with sh-port hashes the client port too: imported as sched mh, "
                  "which does the same"});
}

TEST(IpvsadmImport, OtherSchedulersBecomeMh) {
  for (const char* s :
       {"rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sed", "nq", "fo", "ovf"}) {
    auto r = import_ok(std::string("-A -t 192.0.2.10:80 -s ") + s);
    EXPECT_EQ(r.ruleset.substr(r.ruleset.rfind("sched")), "sched mh\n");
    EXPECT_EQ(r.warnings, Lines{"rules:1: scheduler " + std::string(s) +
                                " is not available: imported as sched mh (Maglev hashing of the "
                                "connection, by weight)"});
  }
  // ipvsadm's default scheduler is wlc.
  EXPECT_EQ(warnings("\n-A -t 192.0.2.10:80").at(0).substr(0, 29), "rules:2: scheduler wlc is not");
}

// -p N is persist N seconds, with the scheduler as given (issue 18).
TEST(IpvsadmImport, PersistenceBecomesPersist) {
  EXPECT_EQ(commands("-A -t 192.0.2.10:80 -s mh -b mh-port -p").at(0),
            "service add tcp-192.0.2.10-80 tcp 192.0.2.10:80 sched mh persist 5m");
  EXPECT_EQ(commands("-A -t 192.0.2.10:80 -s sh --persistent=61").at(0),
            "service add tcp-192.0.2.10-80 tcp 192.0.2.10:80 sched sh persist 61s");
  EXPECT_EQ(warnings("-A -t 192.0.2.10:80 -s sh -p 3600"), Lines{});
  EXPECT_EQ(commands("-A -t 192.0.2.10:80 -s sh -p 3600").at(0),
            "service add tcp-192.0.2.10-80 tcp 192.0.2.10:80 sched sh persist 1h");
  // Longer than xlb's longest: the longest, with a warning.
  EXPECT_EQ(commands("-A -t 192.0.2.10:80 -s sh -p 864000").at(0),
            "service add tcp-192.0.2.10-80 tcp 192.0.2.10:80 sched sh persist 7d");
  EXPECT_EQ(warnings("-A -t 192.0.2.10:80 -s sh -p 864000"),
            Lines{"rules:1: persistence (-p 864000) is longer than xlb's longest (7d): imported "
                  "as persist 7d"});
}

TEST(IpvsadmImport, UnsupportedServiceOptionsAreWarnings) {
  EXPECT_EQ(warnings("-A -u 192.0.2.10:5060 -s sh -p 60 -M 255.255.255.0 --pe sip -o").size(), 3u);
  EXPECT_EQ(warnings("-A -t 192.0.2.10:80 -s sh -M 255.255.255.0").at(0),
            "rules:1: -M 255.255.255.0 has no equivalent in xlb: ignored");
  EXPECT_EQ(warnings("-A -t 192.0.2.10:80 -s sh -p 60 -M 255.255.255.255").size(), 0u);
  EXPECT_EQ(warnings("-A -t 192.0.2.10:80 -s sh -o").at(0),
            "rules:1: -o has no equivalent in xlb: ignored");
}

TEST(IpvsadmImport, ForwardingWarningsKeepTheBackend) {
  const std::string sv = "-A -t 192.0.2.10:80 -s sh\n";
  auto masq = import_ok(sv + "-a -t 192.0.2.10:80 -r 10.0.0.1:80 -m -w 1\n");
  EXPECT_NE(masq.ruleset.find("backend add tcp-192.0.2.10-80 10.0.0.1 weight 1\n"),
            std::string::npos);
  EXPECT_EQ(masq.warnings,
            Lines{"rules:2: NAT (-m) is not supported yet, only direct routing: 10.0.0.1:80 "
                  "imported as a direct-routing backend, which must hold the VIP"});
  auto gue = import_ok(sv +
                       "-a -t 192.0.2.10:80 -r 10.0.0.1:80 -i -w 1 --tun-type gue "
                       "--tun-port 6081 --tun-nocsum\n");
  EXPECT_NE(gue.ruleset.find("sched sh forward gue port 6081\n"), std::string::npos);
  EXPECT_EQ(gue.warnings.size(), 1u);  // set source4
}

TEST(IpvsadmImport, ServerWarnings) {
  const std::string sv = "-A -t 192.0.2.10:80 -s sh\n";
  EXPECT_EQ(warnings(sv + "-a -t 192.0.2.10:80 -r 10.0.0.1:8080 -g"),
            Lines{"rules:2: real server 10.0.0.1:8080: port differs from the service's 80, and "
                  "xlb keeps the service port"});
  EXPECT_EQ(warnings(sv + "-a -t 192.0.2.10:80 -r 10.0.0.1 -g"), Lines{});
  // -i: 6in4 is a tunnel xlb has; only the source address is the operator's.
  EXPECT_EQ(warnings(sv + "-a -t 192.0.2.10:80 -r [2001:db8::1]:80 -i"),
            (Lines{"rules:1: tunnel service tcp 192.0.2.10:80 written as comments: no outer "
                   "source address (no route to its real servers here); add `set source6 ADDR` "
                   "after `flush ruleset` and uncomment it"}));
  auto heavy = import_ok(sv + "-a -t 192.0.2.10:80 -r 10.0.0.1 -w 100000");
  EXPECT_NE(heavy.ruleset.find("10.0.0.1 weight 65535\n"), std::string::npos);
  EXPECT_EQ(heavy.warnings,
            Lines{"rules:2: weight 100000 of 10.0.0.1 lowered to 65535, the largest xlb weight"});
  EXPECT_EQ(warnings(sv + "-a -t 192.0.2.10:80 -r 10.0.0.1 -x 0 -y 0"), Lines{});
  EXPECT_EQ(warnings(sv + "-a -t 192.0.2.10:80 -r 10.0.0.1 -x 100 -y 50"),
            (Lines{"rules:2: -x 100 has no equivalent in xlb: ignored",
                   "rules:2: -y 50 has no equivalent in xlb: ignored"}));
}

TEST(IpvsadmImport, SameAddressOnAnotherPortIsSkipped) {
  auto r = import_ok(
      "-A -t 192.0.2.10:80 -s sh\n"
      "-a -t 192.0.2.10:80 -r 10.0.0.1:8080 -m\n"
      "-a -t 192.0.2.10:80 -r 10.0.0.1:8081 -m\n");
  EXPECT_EQ(commands("-A -t 192.0.2.10:80 -s sh\n"
                     "-a -t 192.0.2.10:80 -r 10.0.0.1:8080 -m\n"
                     "-a -t 192.0.2.10:80 -r 10.0.0.1:8081 -m\n")
                .size(),
            2u);
  EXPECT_EQ(r.warnings.back(),
            "rules:3: real server 10.0.0.1:8081 skipped: xlb backends are addresses, and "
            "10.0.0.1 was added on line 2");
}

TEST(IpvsadmImport, ClearStartsAgain) {
  EXPECT_EQ(warnings("-C\n-A -t 192.0.2.10:80 -s sh\n"), Lines{});
  auto r = import_ok("-A -t 192.0.2.10:80 -s sh\n--clear\n-A -t 192.0.2.11:80 -s sh\n");
  EXPECT_EQ(r.ruleset.find("192.0.2.10"), std::string::npos);
  EXPECT_EQ(r.warnings, Lines{"rules:2: -C clears the 1 service(s) defined before it"});
}

TEST(IpvsadmImport, Errors) {
  const std::string sv = "-A -t 192.0.2.10:80 -s sh\n";
  EXPECT_EQ(import_error("-a -t 192.0.2.10:80 -r 10.0.0.1"),
            "1:7+13 -a for service tcp 192.0.2.10:80 before its -A");
  EXPECT_EQ(import_error(sv + "-a -t 192.0.2.10:81 -r 10.0.0.1"),
            "2:7+13 -a for service tcp 192.0.2.10:81 before its -A");
  EXPECT_EQ(import_error(sv + "-a -u 192.0.2.10:80 -r 10.0.0.1"),
            "2:7+13 -a for service udp 192.0.2.10:80 before its -A");
  EXPECT_EQ(import_error("-A -t www.example.com:http -s rr"),
            "1:7+20 bad service address 'www.example.com:http': numeric HOST:PORT expected "
            "(save with ipvsadm-save -n)");
  EXPECT_EQ(import_error("-A -t 192.0.2.10:99999"),
            "1:7+16 bad service address '192.0.2.10:99999': numeric HOST:PORT expected (save "
            "with ipvsadm-save -n)");
  EXPECT_EQ(import_error(sv + "-a -t 192.0.2.10:80 -r web1"),
            "2:24+4 bad real server address 'web1'");
  EXPECT_EQ(import_error("-A -s rr"), "1:1+2 missing service: -t or -u HOST:PORT");
  EXPECT_EQ(import_error(sv + "  -a -t 192.0.2.10:80 -w 1"),
            "2:3+2 missing real server: -r HOST[:PORT]");
  EXPECT_EQ(import_error("-A -t 192.0.2.10:80 --frobnicate"),
            "1:21+12 unknown option '--frobnicate'");
  EXPECT_EQ(import_error("-A -t 192.0.2.10:80 extra"), "1:21+5 unexpected 'extra'");
  EXPECT_EQ(import_error("-A -t 192.0.2.10:80 -s"), "1:21+2 option -s needs a value");
  EXPECT_EQ(import_error("-A --ops=yes -t 192.0.2.10:80"), "1:4+5 option --ops takes no value");
  EXPECT_EQ(import_error("-A -t 192.0.2.10:80 -s fastest"), "1:24+7 unknown scheduler 'fastest'");
  EXPECT_EQ(import_error("-A -t 192.0.2.10:80 -s mh -b mh-port,,mh-port"),
            "1:38+1 unknown scheduler flag ''");
  EXPECT_EQ(import_error("-A -t 192.0.2.10:80 -s mh -b mh-port,mh-bogus"),
            "1:38+8 unknown scheduler flag 'mh-bogus'");
  EXPECT_EQ(import_error(sv + "-a -t 192.0.2.10:80 -r 10.0.0.1 -w heavy"),
            "2:36+5 bad weight 'heavy': 0 to 2147483647");
  EXPECT_EQ(import_error(sv + "-a -t 192.0.2.10:80 -r 10.0.0.1 -w 2147483648"),
            "2:36+10 bad weight '2147483648': 0 to 2147483647");
  EXPECT_EQ(import_error(sv + "-a -t 192.0.2.10:80 -r 10.0.0.1 -x many"),
            "2:36+4 bad threshold 'many'");
  EXPECT_EQ(import_error("-A -t 192.0.2.10:80 --persistent=long"),
            "1:34+4 bad persistence timeout 'long'");
  EXPECT_EQ(import_error("-A --sctp-service 192.0.2.10:80"), "1:4+14 cannot import SCTP services");
  EXPECT_EQ(import_error("-E -t 192.0.2.10:80 -s rr"),
            "1:1+2 cannot import -E: ipvsadm-save writes only -A and -a lines");
  EXPECT_EQ(import_error("-A -a -t 192.0.2.10:80"), "1:4+2 more than one command: -A and -a");
  EXPECT_EQ(import_error("-t 192.0.2.10:80 -s rr"), "1:1+2 missing command: -A, -a or -C");
  EXPECT_EQ(import_error("-A -t 192.0.2.10:80 -w 1"), "1:21+2 option -w does not go with -A");
  EXPECT_EQ(import_error(sv + "-a -t 192.0.2.10:80 -r 10.0.0.1 -s rr"),
            "2:33+2 option -s does not go with -a");
  EXPECT_EQ(import_error(sv + "-A -t 192.0.2.10:80 -s rr"),
            "2:7+13 service tcp 192.0.2.10:80 already added on line 1");
  EXPECT_EQ(import_error(sv + "-a -t 192.0.2.10:80 -r 10.0.0.1\n"
                              "-a -t 192.0.2.10:80 -r 10.0.0.1:80"),
            "3:24+11 real server 10.0.0.1:80 already added on line 2");
  EXPECT_EQ(import_error("-A -t 192.0.2.10:80 -u 192.0.2.10:53"), "1:21+2 more than one service");
}

TEST(IpvsadmImport, RenderedError) {
  SourceError err;
  ASSERT_FALSE(import_ipvsadm("-A -t 192.0.2.10:80 -s rr\n-a -t 192.0.2.10:80 -r 10.0.0.1 -w x\n",
                              "/etc/ipvsadm.rules", &err)
                   .ok());
  EXPECT_EQ(render_error(err),
            "/etc/ipvsadm.rules:2:36: error: bad weight 'x': 0 to 2147483647\n"
            "-a -t 192.0.2.10:80 -r 10.0.0.1 -w x\n"
            "                                   ^\n");
}

// Damaged rule files give errors or warnings, never a crash.
TEST(IpvsadmImport, SurvivesDamagedInput) {
  const std::string valid = read_example("ipvsadm.rules");
  static constexpr char kBytes[] = "-AatursgimwpMbx:[]., 0123456789\n#=";
  std::mt19937 rng(7);
  auto any = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n)(rng); };
  for (int i = 0; i < 5000; i++) {
    std::string text = valid;
    for (int e = 0; e < 6; e++) {
      const size_t at = any(text.size() - 1);
      const char c = any(4) == 0 ? static_cast<char>(any(255)) : kBytes[any(sizeof(kBytes) - 2)];
      if (any(1))
        text[at] = c;
      else
        text.erase(at, any(12));
    }
    SourceError err;
    auto r = import_ipvsadm(text, "fuzz", &err);
    if (r.ok()) {
      ASSERT_EQ(r->ruleset.back(), '\n');
    } else {
      ASSERT_GE(err.pos.line, 1) << text;
      ASSERT_FALSE(render_error(err).empty());
    }
  }
}

// Issue 19: what the import writes applies, twice, and `-c` accepts it.
Status apply_text(Config& c, const std::string& text) {
  SourceError err;
  auto stmts = lex_text(text, "imported.conf", &err);
  if (!stmts) return stmts.error();
  auto cmds = parse_ruleset(*stmts, &err);
  if (!cmds) return cmds.error();
  XLB_TRY(apply_ruleset(c, *cmds, &err));
  return validate(c);
}

// ipvsadm sends a tunnel from the host's source for the real server: with
// that answer the import sets it and writes the service; without one the
// service is written as comments. Either way `xlb -c` accepts the result.
TEST(IpvsadmImport, TunnelSourceFromTheHostOrCommentedOut) {
  const std::string rules =
      "-A -t 192.0.2.10:80 -s sh\n-a -t 192.0.2.10:80 -r 10.0.0.1 -i\n"
      "-A -t [2001:db8::10]:80 -s sh\n-a -t [2001:db8::10]:80 -r [2001:db8:1::a]:80 -i\n"
      "-A -t 192.0.2.12:80 -s sh\n-a -t 192.0.2.12:80 -r 10.0.0.3 -g\n";
  std::vector<IpAddr> asked;
  ImportOptions opt;
  opt.tunnel_source = [&](const IpAddr& real) -> std::optional<IpAddr> {
    asked.push_back(real);
    if (real.is_v6()) return std::nullopt;  // no IPv6 route on this host
    return *IpAddr::parse("198.51.100.1");
  };
  auto r = import_ipvsadm(rules, "rules", nullptr, opt);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(asked.size(), 2u);  // once per family
  EXPECT_NE(r->ruleset.find("flush ruleset\nset source4 198.51.100.1\n"), std::string::npos);
  EXPECT_NE(r->ruleset.find("\nservice add tcp-192.0.2.10-80 tcp 192.0.2.10:80 sched sh forward "
                            "ipip\nbackend add tcp-192.0.2.10-80 10.0.0.1 weight 1\n"),
            std::string::npos);
  EXPECT_NE(r->ruleset.find("\n# service add tcp-2001-db8--10-80 tcp [2001:db8::10]:80"),
            std::string::npos);
  EXPECT_NE(r->ruleset.find("\n# backend add tcp-2001-db8--10-80 2001:db8:1::a"),
            std::string::npos);
  EXPECT_NE(r->ruleset.find("\nbackend add tcp-192.0.2.12-80 10.0.0.3"), std::string::npos);
  ASSERT_EQ(r->warnings.size(), 2u);
  EXPECT_EQ(r->warnings[0],
            "rules:2: tunnels need the outer source address ipvsadm took from the host: `set "
            "source4 198.51.100.1`, this host's source for 10.0.0.1");
  EXPECT_NE(r->warnings[1].find("rules:3: tunnel service tcp [2001:db8::10]:80 written as"),
            std::string::npos);
  Config c;
  Status st = apply_text(c, r->ruleset);
  EXPECT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(c.services.size(), 2u);
}

// Found by the fuzz smoke: a warning quoting a control character made the
// ruleset's comment binary, which the checker refuses.
TEST(IpvsadmImport, WarningsQuoteControlCharactersAsEscapes) {
  auto r = import_ok("-A -f \x0f -s rr\n-A -t 192.0.2.10:80 -s sh\n");
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("fwmark service \\x0f skipped"), std::string::npos) << r.warnings[0];
  Config c;
  Status st = apply_text(c, r.ruleset);
  EXPECT_TRUE(st.ok()) << st.error().message;
}

TEST(IpvsadmImport, FwmarkServicesAreSkippedWithAWarning) {
  auto r = import_ok(
      "-A -f 1 -s rr\n"
      "-a -f 1 -r 10.0.0.9 -g\n"
      "-A -t 192.0.2.10:80 -s sh\n"
      "-a -t 192.0.2.10:80 -r 10.0.0.1 -g\n");
  EXPECT_EQ(r.warnings, Lines{"rules:1: fwmark service 1 skipped with its real servers: xlb "
                              "services are protocol, address and port"});
  EXPECT_EQ(r.ruleset.find("10.0.0.9"), std::string::npos);
  EXPECT_NE(r.ruleset.find("backend add tcp-192.0.2.10-80 10.0.0.1"), std::string::npos);
  EXPECT_NE(r.ruleset.find("# warning: rules:1: fwmark service 1 skipped"), std::string::npos);
}

TEST(IpvsadmImport, MixedFamilyDirectRoutingIsSkipped) {
  auto r = import_ok(
      "-A -t 192.0.2.10:80 -s sh\n"
      "-a -t 192.0.2.10:80 -r [2001:db8::1]:80 -g\n"
      "-a -t 192.0.2.10:80 -r 10.0.0.1:80 -g\n");
  EXPECT_EQ(r.warnings, Lines{"rules:2: real server [2001:db8::1]:80 skipped: it and the VIP "
                              "differ in address family, which direct routing cannot forward"});
  EXPECT_EQ(r.ruleset.find("backend add tcp-192.0.2.10-80 2001:db8::1"), std::string::npos);
}

TEST(IpvsadmImport, TunnelTypesAndOneMethodPerService) {
  auto r = import_ok(
      "-A -t 192.0.2.10:80 -s sh\n"
      "-a -t 192.0.2.10:80 -r 10.0.0.1 -i --tun-type gre\n"
      "-a -t 192.0.2.10:80 -r 10.0.0.2 -g\n"
      "-A -t 192.0.2.11:80 -s sh\n"
      "-a -t 192.0.2.11:80 -r 10.0.0.3 -i --tun-type gue\n");
  EXPECT_NE(r.ruleset.find("tcp 192.0.2.10:80 sched sh forward gre\n"), std::string::npos);
  EXPECT_NE(r.ruleset.find("tcp 192.0.2.11:80 sched sh forward gue\n"), std::string::npos);
  EXPECT_EQ(r.ruleset.find("backend add tcp-192.0.2.10-80 10.0.0.2"), std::string::npos);
  EXPECT_NE(r.ruleset.find("real server 10.0.0.2 skipped: xlb forwards per service"),
            std::string::npos);
  EXPECT_EQ(
      import_error("-A -t 192.0.2.10:80\n-a -t 192.0.2.10:80 -r 10.0.0.1 -i --tun-type vxlan"),
      "2:21+2 unknown --tun-type 'vxlan'");
}

TEST(IpvsadmImport, OutputAppliesTwiceAndPassesTheCheck) {
  auto r = import_ok(
      "-A -t 192.0.2.10:80 -s sh\n"
      "-a -t 192.0.2.10:80 -r 10.0.0.1 -g\n"
      "-a -t 192.0.2.10:80 -r [2001:db8::1]:80 -g\n"
      "-A -f 7 -s rr\n"
      "-A -u [2001:db8::53]:53 -s mh\n"
      "-a -u [2001:db8::53]:53 -r 2001:db8:1::5 -g\n");
  Config c;
  Status once = apply_text(c, r.ruleset);
  ASSERT_TRUE(once.ok()) << once.error().message << "\n" << r.ruleset;
  Status twice = apply_text(c, r.ruleset);
  ASSERT_TRUE(twice.ok()) << twice.error().message;
  EXPECT_EQ(c.services.size(), 2u);
}

}  // namespace
}  // namespace xlb
