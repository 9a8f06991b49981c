// The command grammar (core/config/command + core/config/parse_*): what each sentence
// parses to, and every error message with the index of the word it blames.
// Then the same errors through the file path (lex_text + parse_ruleset),
// rendered nft-style with the caret under the blamed word.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "base/source.hpp"
#include "config/command.hpp"
#include "config/lexer.hpp"
#include "config/ruleset.hpp"

namespace xlb {
namespace {

// The settings `set` names, as its errors list them.
#define SETTINGS \
  "seed, timeout, flow-guard, icmp-echo, source4, source6, gateway4, gateway6, nat4 or nat6"

using Words = std::vector<std::string>;

Words split(const std::string& line) {
  std::istringstream in(line);
  Words w;
  for (std::string s; in >> s;) w.push_back(s);
  return w;
}

Command parse_ok(const std::string& line) {
  auto r = parse_command(split(line));
  EXPECT_TRUE(r.ok()) << line << ": " << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : Command{cmd::Help{"<failed>"}};
}

template <class T>
T parse_as(const std::string& line) {
  Command c = parse_ok(line);
  EXPECT_TRUE(std::holds_alternative<T>(c)) << line << " parsed to variant #" << c.index();
  return std::holds_alternative<T>(c) ? std::get<T>(c) : T{};
}

// ------------------------------------------------------------ error table

struct ErrorCase {
  const char* line;
  const char* message;  // the whole message, exactly
  int token;            // index of the blamed word; words.size() when missing
};

// Every error message of core/config/command.cpp, parser.cpp and parse_*.cpp.
const ErrorCase kErrors[] = {
    // command.cpp
    {"", "missing command (try: xlb help)", 0},
    {"frobnicate", "unknown object 'frobnicate' (try: xlb help)", 0},
    {"--frob", "unknown option '--frob' (try: xlb --help)", 0},
    {"-x service", "unknown option '-x' (try: xlb --help)", 0},
    // parser.cpp: the shared readers
    {"service add", "missing service name", 2},
    {"service add web", "missing protocol (tcp or udp)", 3},
    {"service add web sctp 192.0.2.1:80", "invalid protocol 'sctp' (expected tcp or udp)", 3},
    {"service add web tcp", "missing VIP[:PORT]", 4},
    {"service add web tcp 192.0.2.300:80",
     "invalid VIP '192.0.2.300:80' (expected ADDR, ADDR:PORT or [IPv6]:PORT)", 4},
    {"service add web tcp 192.0.2.1:65536",
     "invalid VIP '192.0.2.1:65536' (expected ADDR, ADDR:PORT or [IPv6]:PORT)", 4},
    {"service del", "missing service (NAME or PROTO VIP:PORT)", 2},
    {"service del tcp", "missing VIP[:PORT]", 3},
    {"service del udp nonsense", "invalid VIP 'nonsense' (expected ADDR, ADDR:PORT or [IPv6]:PORT)",
     3},
    {"service del web extra", "unexpected argument 'extra'", 3},
    {"backend add web", "missing backend address", 3},
    {"backend add web 10.0.0.x",
     "invalid backend address '10.0.0.x' (expected an IPv4 or IPv6 address)", 3},
    {"backend add web 10.0.0.1 mac", "missing MAC address", 5},
    {"backend add web 10.0.0.1 mac 02:00:00:00:00",
     "invalid MAC address '02:00:00:00:00' (expected xx:xx:xx:xx:xx:xx)", 5},
    {"backend add web 10.0.0.1 weight", "missing weight", 5},
    {"backend add web 10.0.0.1 weight 65536", "invalid weight '65536' (expected 0..65535)", 5},
    {"backend add web 10.0.0.1 weight -1", "invalid weight '-1' (expected 0..65535)", 5},
    {"backend add web 10.0.0.1 colour red",
     "unexpected argument 'colour' (expected one of: weight, priority, mac, dev, vlan)", 4},
    {"backend add web 10.0.0.1 weight 1 weight 2", "option 'weight' given twice", 6},
    {"backend add web 10.0.0.1 w 1 we 2", "option 'weight' given twice", 6},
    // parse_service.cpp
    {"service add tcp tcp 192.0.2.1:80", "a service name cannot be a protocol", 2},
    {"service add udp", "a service name cannot be a protocol", 2},
    {"service add web tcp 192.0.2.1:80 sched", "missing scheduler (mh or sh)", 6},
    {"service add web tcp 192.0.2.1:80 sched rr", "invalid scheduler 'rr' (expected mh or sh)", 6},
    {"service add web tcp 192.0.2.1:80 ring", "missing ring size", 6},
    {"service add web tcp 192.0.2.1:80 ring 5", "invalid ring size '5' (expected 7..1048573)", 6},
    {"service add web tcp 192.0.2.1:80 ring 1048574",
     "invalid ring size '1048574' (expected 7..1048573)", 6},
    {"service add web tcp 192.0.2.1:80 ring 100",
     "ring size 100 is not a prime (nearest: 97 or 101)", 6},
    {"service add web tcp 192.0.2.1:80 forward",
     "missing forwarding method (dsr, ipip, gre, gue or fou)", 6},
    {"service add web tcp 192.0.2.1:80 forward nat",
     "invalid forwarding method 'nat' (expected dsr, ipip, gre, gue or fou)", 6},
    {"service add web tcp 192.0.2.1:80 forward gre port 1",
     "forward gre takes no port (only gue and fou do)", 7},
    {"service add web tcp 192.0.2.1:80 forward dsr port 1",
     "forward dsr takes no port (only gue and fou do)", 7},
    {"service add web tcp 192.0.2.1:80 forward gue port", "missing outer UDP port", 8},
    {"service add web tcp 192.0.2.1:80 forward fou port 0",
     "invalid outer UDP port '0' (expected 1..65535)", 8},
    {"service add web tcp 192.0.2.1:80 forward fou port 65536",
     "invalid outer UDP port '65536' (expected 1..65535)", 8},
    {"service add web tcp 192.0.2.1:80 forward gue port 1 port 2",
     "unexpected argument 'port' (expected one of: sched, ring, forward, need, panic, weights, "
     "persist)",
     9},
    {"service set web forward ipip forward gre", "option 'forward' given twice", 5},
    {"service add web tcp 192.0.2.1:80 sched mh sched sh", "option 'sched' given twice", 7},
    {"service add web tcp 192.0.2.1:80 bogus",
     "unexpected argument 'bogus' (expected one of: sched, ring, forward, need, panic, weights, "
     "persist)",
     5},
    {"service set web",
     "missing what to change (sched, ring, forward, need, panic, weights, persist or ports)", 3},
    // several ports
    {"service add web tcp 192.0.2.10:80,0", "invalid ports '80,0': '0' is not a port (1 to 65535)",
     4},
    {"service add web tcp 192.0.2.10:90-80",
     "invalid ports '90-80': range 90-80 ends before it starts", 4},
    {"service add web tcp 192.0.2.10:80,", "invalid ports '80,': '' is not a port (1 to 65535)", 4},
    {"service add web tcp [2001:db8::1]:53,x",
     "invalid ports '53,x': 'x' is not a port (1 to 65535)", 4},
    {"service add web tcp 2001:db8::1:80,443",
     "invalid VIP '2001:db8::1:80,443' (expected ADDR, ADDR:PORT or [IPv6]:PORT)", 4},
    {"service add web tcp 192.0.2.10:80 ports 443",
     "unexpected argument 'ports' (expected one of: sched, ring, forward, need, panic, weights, "
     "persist)",
     5},
    {"service set web ports",
     "missing ports (PORT, PORT-PORT, or a list of them: 80,443,8000-8099)", 4},
    {"service set web ports 80,,443", "invalid ports '80,,443': '' is not a port (1 to 65535)", 4},
    {"service set web ports 70000", "invalid ports '70000': '70000' is not a port (1 to 65535)", 4},
    {"service set tcp 192.0.2.1:80 ring 12", "ring size 12 is not a prime (nearest: 11 or 13)", 5},
    {"service frob", "unknown service command 'frob' (try: xlb service help)", 1},
    {"service dx web", "unknown service command 'dx' (try: xlb service help)", 1},
    {"service list web extra", "unexpected argument 'extra'", 3},
    // parse_backend.cpp
    {"backend add web 10.0.0.1 mac 00:00:00:00:00:00",
     "MAC address 00:00:00:00:00:00 is not usable", 5},
    {"backend set web 10.0.0.1", "missing what to change (weight, priority, mac, dev or vlan)", 4},
    {"backend set web 10.0.0.1 mac 00:00:00:00:00:00",
     "MAC address 00:00:00:00:00:00 is not usable", 5},
    {"backend enable web", "missing backend address", 3},
    {"backend disable web 10.0.0.1 now", "unexpected argument 'now'", 4},
    {"backend del web 10.0.0.1 10.0.0.2", "unexpected argument '10.0.0.2'", 4},
    {"backend d web 10.0.0.1", "unknown backend command 'd' (try: xlb backend help)", 1},
    {"backend list web extra", "unexpected argument 'extra'", 3},
    // parse_check.cpp
    {"check add web", "missing check type (tcp, http, https, dns or udp)", 3},
    {"check add web ftp", "invalid check type 'ftp' (expected tcp, http, https, dns or udp)", 3},
    {"check add web tcp path /x", "option 'path' does not apply to a tcp check", 4},
    {"check add web dns expect 200", "option 'expect' does not apply to a dns check", 4},
    {"check add web http path x", "invalid path 'x' (it must start with /)", 5},
    {"check add web http expect 300-200",
     "invalid status range '300-200' (expected LO-HI within 100-599, e.g. 200-299)", 5},
    {"check add web tcp interval 2",
     "invalid interval '2' (expected a duration like 500ms, 2s or 1m, at most 1h)", 5},
    {"check add web tcp rise 0", "invalid rise '0' (expected 1..100)", 5},
    {"check del web 0", "invalid check '0' (expected an index from `xlb check list` or a type)", 3},
    {"check frob", "unknown check command 'frob' (try: xlb check help)", 1},
    {"service set web need -1",
     "invalid need (healthy backends to announce the VIP) '-1' (expected 0..65535)", 4},
    // parse_misc.cpp: flows
    {"flows frob", "unknown flows command 'frob' (try: xlb flows help)", 1},
    {"flows list backend", "missing backend address", 3},
    {"flows list backend 10.0.0.1 backend 10.0.0.2", "option 'backend' given twice", 4},
    {"flows list web other", "unexpected argument 'other'", 3},
    {"flows count tcp", "missing VIP[:PORT]", 3},
    // stats
    {"stats web other", "unexpected argument 'other'", 2},
    {"stats interval", "missing interval (ms)", 2},
    {"stats interval 99", "invalid interval (ms) '99' (expected 100..3600000)", 2},
    {"stats --rate --prometheus", "rate and prometheus do not go together", 3},
    {"stats reset web now", "unexpected argument 'now'", 3},
    {"stats count 2", "count goes with --rate", 3},
    {"stats --rate count 0", "invalid count '0' (expected 1..1000000000)", 3},
    {"stats --ipvs-names", "--ipvs-names goes with --prometheus", 2},
    {"stats help me", "unexpected argument 'me'", 2},
    // capture
    {"capture count", "missing count", 2},
    {"capture count 0", "invalid count '0' (expected 1..1000000000)", 2},
    {"capture snaplen 300", "invalid snaplen '300' (expected 14..256)", 2},
    {"capture count 2 count 3", "option 'count' given twice", 3},
    {"capture -w", "missing file name (or - for standard output)", 2},
    {"capture verdict maybe", "unknown verdict 'maybe' (pass, drop, tx, redirect or aborted)", 2},
    {"capture verdict tx reason no_service", "a reason goes with drops (verdict drop)", 5},
    {"capture now", "unexpected argument 'now'", 1},
    {"capture backend 10.0.0",
     "invalid backend address '10.0.0' (expected an IPv4 or IPv6 address)", 2},
    // set
    {"set", "missing setting (" SETTINGS ")", 1},
    {"set colour", "unknown setting 'colour' (expected " SETTINGS ")", 1},
    {"set s 1", "unknown setting 's' (expected " SETTINGS ")", 1},
    {"set timeout", "missing timeout to set (tcp, tcp-syn or udp)", 2},
    {"set timeout tcp", "missing tcp timeout (e.g. 900, 15m, 10s)", 3},
    {"set timeout tcp 0",
     "invalid tcp timeout '0' (expected seconds, or a number with s, m, h or d; 1s to 7d)", 3},
    {"set timeout udp 8d",
     "invalid udp timeout '8d' (expected seconds, or a number with s, m, h or d; 1s to 7d)", 3},
    {"set timeout tcp-syn 5x",
     "invalid tcp-syn timeout '5x' (expected seconds, or a number with s, m, h or d; 1s to 7d)", 3},
    {"set timeout tcp 1 tcp 2", "option 'tcp' given twice", 4},
    {"set timeout icmp 5", "unexpected argument 'icmp' (expected one of: tcp, tcp-syn, udp)", 2},
    {"service set web persist", "missing persistence timeout (e.g. 300, 5m, or off)", 4},
    {"service set web persist 8d",
     "invalid persistence timeout '8d' (expected seconds, or a number with s, m, h or d; 1s to 7d; "
     "or off)",
     4},
    {"service add web tcp 192.0.2.1:80 persist 5m persist 6m", "option 'persist' given twice", 7},
    {"set flow-guard", "missing new flows per second per CPU (or off)", 2},
    {"set flow-guard 0",
     "invalid new flows per second per CPU (or off) '0' (expected 1..4294967295)", 2},
    {"set flow-guard on",
     "invalid new flows per second per CPU (or off) 'on' (expected "
     "1..4294967295)",
     2},
    {"set flow-guard 5 6", "unexpected argument '6'", 3},
    {"set icmp-echo", "missing on or off", 2},
    {"set icmp-echo yes", "expected on or off, not 'yes'", 2},
    {"set icmp-echo off on", "unexpected argument 'on'", 3},
    {"flows get", "missing protocol (tcp or udp)", 2},
    {"flows get tcp 10.0.0.1 192.0.2.1:80",
     "invalid client '10.0.0.1' (expected ADDR:PORT or [IPv6]:PORT)", 3},
    {"flows get tcp 10.0.0.1:5 [2001:db8::1]:80", "client and VIP must be of the same family", 4},
    {"flows get tcp 10.0.0.1:5 192.0.2.1:80 x", "unexpected argument 'x'", 5},
    {"flows expire now", "unexpected argument 'now'", 2},
    {"set source4", "missing source4 address (or none)", 2},
    {"set source4 2001:db8::1", "source4 must be an IPv4 address", 2},
    {"set gateway6 192.0.2.1", "gateway6 must be an IPv6 address", 2},
    {"set source6 fd00::1 fd00::2", "unexpected argument 'fd00::2'", 3},
    {"set gateway4 none now", "unexpected argument 'now'", 3},
    {"set source4 nowhere",
     "invalid source4 address (or none) 'nowhere' (expected an IPv4 or IPv6 address)", 2},
    {"set gateway 10.0.0.1", "unknown setting 'gateway' (expected " SETTINGS ")", 1},
    {"set nat4", "missing IPv4 prefix (e.g. 198.18.0.0/16)", 2},
    {"set nat4 fd00::/64",
     "invalid NAT range 'fd00::/64' (expected an IPv4 prefix (e.g. 198.18.0.0/16))", 2},
    {"set nat6 198.18.0.0/16",
     "invalid NAT range '198.18.0.0/16' (expected an IPv6 prefix (e.g. "
     "fd00:786c:6200::/64))",
     2},
    {"set nat4 198.18.0.0",
     "invalid NAT range '198.18.0.0' (expected an IPv4 prefix (e.g. "
     "198.18.0.0/16))",
     2},
    {"set nat4 198.18.0.0/31", "NAT range 198.18.0.0/31 is too small", 2},
    {"set nat6 fd00::/127", "NAT range fd00::/127 is too small", 2},
    {"set nat4 198.18.0.0/16 x", "unexpected argument 'x'", 3},
    // nat
    {"nat flush", "unknown nat command 'flush' (try: xlb nat help)", 1},
    {"nat list all", "unexpected argument 'all'", 2},
    {"set seed", "missing seed", 2},
    {"set seed 4294967296", "invalid seed '4294967296' (expected 0..4294967295)", 2},
    {"set seed 0x10", "invalid seed '0x10' (expected 0..4294967295)", 2},
    {"set seed 1 2", "unexpected argument '2'", 3},
    // list, flush, import
    {"list", "missing what to list (ruleset)", 1},
    {"list services", "unknown list 'services' (expected ruleset)", 1},
    {"list ruleset now", "unexpected argument 'now'", 2},
    {"flush", "missing what to flush (ruleset)", 1},
    {"flush everything", "unknown flush 'everything' (expected ruleset)", 1},
    {"flush ruleset now", "unexpected argument 'now'", 2},
    {"import", "missing what to import (ipvsadm)", 1},
    {"import iptables f", "unknown import format 'iptables' (expected ipvsadm)", 1},
    {"import ipvsadm", "missing file (or - for stdin)", 2},
    {"import ipvsadm a b", "unexpected argument 'b'", 3},
    // parse_interface.cpp
    {"interface frob", "unknown interface command 'frob' (try: xlb interface help)", 1},
    {"interface attach", "missing interface name", 2},
    {"interface attach eth0 mode", "missing mode (native or generic)", 4},
    {"interface attach eth0 mode offload", "invalid mode 'offload' (expected native or generic)",
     4},
    {"interface attach eth0 services 0", "invalid services capacity '0' (expected 1..1048576)", 4},
    {"interface attach eth0 backends 1048577",
     "invalid backends capacity '1048577' (expected 1..1048576)", 4},
    {"interface attach eth0 flows 67108865",
     "invalid flows capacity '67108865' (expected 1..67108864)", 4},
    {"interface attach eth0 flows", "missing flows capacity", 4},
    {"interface attach eth0 speed 10",
     "unexpected argument 'speed' (expected one of: mode, services, backends, flows, chain)", 3},
    {"interface attach eth0 mode native mode generic", "option 'mode' given twice", 5},
    {"interface detach", "missing interface name", 2},
    {"interface detach eth0 eth1", "unexpected argument 'eth1'", 3},
    {"interface list eth0", "unexpected argument 'eth0'", 2},
};

TEST(GrammarErrors, EveryMessageBlamesItsWord) {
  for (const auto& e : kErrors) {
    Words w = split(e.line);
    auto r = parse_command(w);
    ASSERT_FALSE(r.ok()) << "'" << e.line << "' parsed";
    EXPECT_EQ(r.error().message, e.message) << e.line;
    EXPECT_EQ(r.error().token, e.token) << e.line;
    EXPECT_EQ(r.error().kind, ErrorKind::usage) << e.line;
    EXPECT_LE(r.error().token, static_cast<int>(w.size())) << e.line;
  }
}

TEST(GrammarErrors, EmptyWordIsNotAnObject) {
  Words w{""};
  auto r = parse_command(w);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "unknown object '' (try: xlb help)");
}

// ------------------------------------------------------ prefixes, defaults

TEST(GrammarPrefixes, ObjectsResolveInTableOrder) {
  // Like ip(8): the first object the word is a prefix of.
  EXPECT_TRUE(std::holds_alternative<cmd::ServiceList>(parse_ok("s")));
  EXPECT_TRUE(std::holds_alternative<cmd::ServiceList>(parse_ok("serv")));
  EXPECT_TRUE(std::holds_alternative<cmd::SetSeed>(parse_ok("set seed 1")));
  EXPECT_TRUE(std::holds_alternative<cmd::Stats>(parse_ok("st")));
  EXPECT_TRUE(std::holds_alternative<cmd::BackendList>(parse_ok("b")));
  EXPECT_TRUE(std::holds_alternative<cmd::FlowsList>(parse_ok("f")));
  EXPECT_TRUE(std::holds_alternative<cmd::FlushRuleset>(parse_ok("flu ruleset")));
  EXPECT_TRUE(std::holds_alternative<cmd::InterfaceList>(parse_ok("i")));
  EXPECT_TRUE(std::holds_alternative<cmd::ListRuleset>(parse_ok("l r")));
  EXPECT_TRUE(std::holds_alternative<cmd::ImportIpvsadm>(parse_ok("imp ipvs -")));
}

TEST(GrammarPrefixes, VerbsAndKeywordsTakeUniquePrefixes) {
  EXPECT_EQ(parse_as<cmd::ServiceAdd>("service a web tcp 192.0.2.1:80 sc sh r 7").service.ring, 7u);
  EXPECT_TRUE(std::holds_alternative<cmd::ServiceDel>(parse_ok("service del web")));
  EXPECT_TRUE(std::holds_alternative<cmd::ServiceDel>(parse_ok("service delete web")));
  EXPECT_TRUE(std::holds_alternative<cmd::ServiceList>(parse_ok("service sh")));
  EXPECT_EQ(parse_as<cmd::BackendAdmin>("backend dis web 10.0.0.1").admin, Admin::disabled);
  EXPECT_EQ(parse_as<cmd::BackendAdmin>("backend dr web 10.0.0.1").admin, Admin::disabled);
  EXPECT_EQ(parse_as<cmd::BackendAdmin>("backend en web 10.0.0.1").admin, Admin::enabled);
  EXPECT_TRUE(std::holds_alternative<cmd::FlowsCount>(parse_ok("flows c")));
  EXPECT_TRUE(std::holds_alternative<cmd::FlowsFlush>(parse_ok("flows f")));
  EXPECT_EQ(parse_as<cmd::InterfaceAttach>("interface at eth0 m g").mode, "generic");
}

TEST(GrammarPrefixes, AmbiguousPrefixesAreErrors) {
  // "d" is del, delete, disable or drain; "s" is set or show.
  auto r = parse_command(split("backend d web 10.0.0.1"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().token, 1);
  r = parse_command(split("service s web"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "unknown service command 's' (try: xlb service help)");
  r = parse_command(split("flows list backend 10.0.0.1 web b"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().token, 5);
}

TEST(GrammarDefaults, ServiceAddDefaults) {
  auto a = parse_as<cmd::ServiceAdd>("service add web tcp 192.0.2.10");
  EXPECT_EQ(a.service.name, "web");
  EXPECT_EQ(a.service.proto, Proto::tcp);
  EXPECT_EQ(a.service.vip.str(), "192.0.2.10");
  EXPECT_EQ(a.service.port, 0);
  EXPECT_EQ(a.service.sched, Sched::mh);
  EXPECT_EQ(a.service.ring, XLB_RING_DEFAULT);
  EXPECT_EQ(a.service.forward, Forward::dsr);
  EXPECT_TRUE(a.service.backends.empty());
}

TEST(GrammarDefaults, ServiceAddOptions) {
  auto a = parse_as<cmd::ServiceAdd>(
      "service add dns udp [2001:db8::53]:53 forward dsr ring 251 sched sh");
  EXPECT_EQ(a.service.proto, Proto::udp);
  EXPECT_EQ(a.service.vip.str(), "2001:db8::53");
  EXPECT_EQ(a.service.port, 53);
  EXPECT_EQ(a.service.sched, Sched::sh);
  EXPECT_EQ(a.service.ring, 251u);
}

TEST(GrammarDefaults, BackendAddDefaults) {
  auto a = parse_as<cmd::BackendAdd>("backend add web 10.0.0.1");
  EXPECT_EQ(a.ref.name, "web");
  EXPECT_EQ(a.backend.addr.str(), "10.0.0.1");
  EXPECT_EQ(a.backend.weight, kDefaultWeight);
  EXPECT_FALSE(a.mac_given);
  EXPECT_FALSE(a.backend.mac_explicit);
  EXPECT_TRUE(a.backend.mac.is_zero());
  EXPECT_EQ(a.backend.admin, Admin::enabled);
}

TEST(GrammarDefaults, BackendAddOptions) {
  auto a = parse_as<cmd::BackendAdd>("backend add web 2001:db8::a mac 02:00:00:00:00:0A weight 0");
  EXPECT_EQ(a.backend.addr.str(), "2001:db8::a");
  EXPECT_EQ(a.backend.weight, 0u);
  EXPECT_TRUE(a.mac_given);
  EXPECT_TRUE(a.backend.mac_explicit);
  EXPECT_EQ(a.backend.mac.str(), "02:00:00:00:00:0a");
}

TEST(GrammarDefaults, BackendSetChangesOnlyWhatIsGiven) {
  auto s = parse_as<cmd::BackendSet>("backend set web 10.0.0.1 weight 7");
  EXPECT_EQ(s.weight, 7u);
  EXPECT_FALSE(s.mac);
  s = parse_as<cmd::BackendSet>("backend set web 10.0.0.1 mac 02:00:00:00:00:01");
  EXPECT_FALSE(s.weight);
  ASSERT_TRUE(s.mac);
  // Each option lands in its own field (vlan and priority are both numbers).
  s = parse_as<cmd::BackendSet>("backend set web 10.0.0.1 vlan 300");
  EXPECT_EQ(s.vlan, uint16_t{300});
  EXPECT_FALSE(s.priority);
  s = parse_as<cmd::BackendSet>("backend set web 10.0.0.1 priority 2");
  EXPECT_EQ(s.priority, 2u);
  EXPECT_FALSE(s.vlan);
  EXPECT_FALSE(s.weight);
}

TEST(GrammarDefaults, ServiceSetChangesOnlyWhatIsGiven) {
  auto s = parse_as<cmd::ServiceSet>("service set web ring 13");
  EXPECT_EQ(s.change.ring, 13u);
  EXPECT_FALSE(s.change.sched);
  EXPECT_FALSE(s.change.forward);
}

TEST(GrammarDefaults, ForwardMethodsAndPorts) {
  for (Forward f : {Forward::dsr, Forward::ipip, Forward::gre, Forward::gue, Forward::fou}) {
    auto a = parse_as<cmd::ServiceAdd>("service add w tcp 192.0.2.1:80 forward " + to_string(f));
    EXPECT_EQ(a.service.forward, f);
    EXPECT_EQ(a.service.forward_port, 0);
  }
  auto g = parse_as<cmd::ServiceAdd>("service add w tcp 192.0.2.1:80 forward gue port 7000 ring 7");
  EXPECT_EQ(g.service.forward, Forward::gue);
  EXPECT_EQ(g.service.forward_port, 7000);
  EXPECT_EQ(g.service.ring, 7u);
  auto s = parse_as<cmd::ServiceSet>("service set w forward fou port 1");
  EXPECT_EQ(s.change.forward, Forward::fou);
  EXPECT_EQ(s.change.forward_port, 1);
}

TEST(GrammarDefaults, TunnelSettings) {
  auto s = parse_as<cmd::SetTunnel>("set source4 192.0.2.1");
  EXPECT_EQ(s.what, TunnelSetting::source4);
  ASSERT_TRUE(s.addr);
  EXPECT_EQ(s.addr->str(), "192.0.2.1");
  auto g = parse_as<cmd::SetTunnel>("set gateway6 fe80::1");
  EXPECT_EQ(g.what, TunnelSetting::gateway6);
  auto n = parse_as<cmd::SetTunnel>("set source6 none");
  EXPECT_EQ(n.what, TunnelSetting::source6);
  EXPECT_FALSE(n.addr);
}

TEST(GrammarBackendRefresh, EveryServiceOrOne) {
  EXPECT_FALSE(parse_as<cmd::BackendRefresh>("backend refresh").ref);
  auto one = parse_as<cmd::BackendRefresh>("backend refresh web");
  ASSERT_TRUE(one.ref);
  EXPECT_EQ(one.ref->name, "web");
  auto spec = parse_as<cmd::BackendRefresh>("backend refresh tcp 192.0.2.10:80");
  ASSERT_TRUE(spec.ref);
  EXPECT_FALSE(is_config_edit(Command{spec}));
}

TEST(GrammarDefaults, ObjectAloneLists) {
  EXPECT_FALSE(parse_as<cmd::ServiceList>("service").ref);
  EXPECT_FALSE(parse_as<cmd::BackendList>("backend").ref);
  EXPECT_TRUE(std::holds_alternative<cmd::InterfaceList>(parse_ok("interface")));
  auto f = parse_as<cmd::FlowsList>("flows");
  EXPECT_FALSE(f.filter.service);
  EXPECT_FALSE(f.filter.backend);
  auto st = parse_as<cmd::Stats>("stats");
  EXPECT_FALSE(st.rate);
  EXPECT_FALSE(st.prometheus);
  EXPECT_EQ(st.interval_ms, 1000u);
}

TEST(GrammarDefaults, StatsWords) {
  auto st = parse_as<cmd::Stats>("stats tcp 192.0.2.1:80 --rate interval 250");
  EXPECT_TRUE(st.rate);
  EXPECT_EQ(st.interval_ms, 250u);
  ASSERT_TRUE(st.ref);
  EXPECT_EQ(st.ref->proto, Proto::tcp);
  EXPECT_TRUE(parse_as<cmd::Stats>("stats prometheus").prometheus);
  EXPECT_FALSE(parse_as<cmd::StatsReset>("stats reset").ref);
  auto one = parse_as<cmd::StatsReset>("stats reset web");
  ASSERT_TRUE(one.ref);
  EXPECT_EQ(one.ref->name, "web");
  auto rate = parse_as<cmd::Stats>("stats --rate count 3");
  EXPECT_EQ(rate.count, 3u);
  EXPECT_FALSE(parse_as<cmd::Stats>("stats --rate").count) << "until interrupted";
  auto prom = parse_as<cmd::Stats>("stats --prometheus --ipvs-names");
  EXPECT_TRUE(prom.prometheus && prom.ipvs_names);
}

TEST(GrammarDefaults, Capture) {
  auto all = parse_as<cmd::Capture>("capture");
  EXPECT_FALSE(all.dev || all.count || all.file || all.service || all.backend || all.verdict);
  EXPECT_EQ(all.snaplen, uint32_t{XLB_CAPTURE_SNAP_MAX});
  auto c = parse_as<cmd::Capture>(
      "capture dev eth0 count 20 snaplen 96 -w x.pcapng service web backend 10.0.0.1 "
      "verdict drop reason no_service");
  EXPECT_EQ(c.dev, "eth0");
  EXPECT_EQ(c.count, 20u);
  EXPECT_EQ(c.snaplen, 96u);
  EXPECT_EQ(c.file, "x.pcapng");
  ASSERT_TRUE(c.service);
  EXPECT_EQ(c.service->name, "web");
  EXPECT_EQ(c.backend, IpAddr::parse("10.0.0.1"));
  EXPECT_EQ(c.verdict, "drop");
  EXPECT_EQ(c.reason, "no_service");
  EXPECT_EQ(parse_as<cmd::Capture>("capture -w -").file, "-") << "standard output";
}

TEST(GrammarDefaults, HelpEverywhere) {
  EXPECT_EQ(parse_as<cmd::Help>("help").object, "");
  EXPECT_EQ(parse_as<cmd::Help>("help service").object, "");
  for (const char* o : {"service", "backend", "flows", "stats", "set", "interface"})
    EXPECT_EQ(parse_as<cmd::Help>(std::string(o) + " help").object, o);
}

TEST(GrammarDefaults, NatRanges) {
  EXPECT_EQ(parse_as<cmd::SetNat>("set nat4 100.64.0.0/10").range.str(), "100.64.0.0/10");
  EXPECT_EQ(parse_as<cmd::SetNat>("set nat6 fd00:1::/64").range.str(), "fd00:1::/64");
  // Host bits are dropped, as ip(8) does.
  EXPECT_EQ(parse_as<cmd::SetNat>("set nat4 198.18.3.4/16").range.str(), "198.18.0.0/16");
  parse_as<cmd::NatList>("nat");
  parse_as<cmd::NatList>("nat list");
  parse_as<cmd::NatList>("nat show");
}

TEST(GrammarDefaults, Timeouts) {
  auto t = parse_as<cmd::SetTimeout>("set timeout tcp 900 tcp-syn 10s udp 5m").change;
  EXPECT_EQ(t.tcp, 900u);
  EXPECT_EQ(t.tcp_syn, 10u);
  EXPECT_EQ(t.udp, 300u);
  auto u = parse_as<cmd::SetTimeout>("set timeout udp 1d").change;
  EXPECT_FALSE(u.tcp);
  EXPECT_FALSE(u.tcp_syn);
  EXPECT_EQ(u.udp, 86400u);
  EXPECT_EQ(parse_as<cmd::SetTimeout>("set timeout tcp 2h").change.tcp, 7200u);
  EXPECT_EQ(parse_as<cmd::SetFlowGuard>("set flow-guard 20000").per_second, 20000u);
  EXPECT_EQ(parse_as<cmd::SetFlowGuard>("set flow-guard off").per_second, 0u);
  EXPECT_FALSE(parse_as<cmd::SetIcmpEcho>("set icmp-echo off").on);
  EXPECT_TRUE(parse_as<cmd::SetIcmpEcho>("set icmp-echo on").on);
}

TEST(GrammarDefaults, FlowsGetAndExpire) {
  auto g = parse_as<cmd::FlowsGet>("flows get udp [2001:db8::7]:5353 [2001:db8::10]:53");
  EXPECT_EQ(g.proto, Proto::udp);
  EXPECT_EQ(g.client.str(), "[2001:db8::7]:5353");
  EXPECT_EQ(g.vip.str(), "[2001:db8::10]:53");
  parse_as<cmd::FlowsExpire>("flows expire");
}

TEST(GrammarDefaults, SeedBounds) {
  EXPECT_EQ(parse_as<cmd::SetSeed>("set seed 0").seed, 0u);
  EXPECT_EQ(parse_as<cmd::SetSeed>("set seed 4294967295").seed, 4294967295u);
}

// --------------------------------------------------------- service refs

TEST(GrammarServiceRef, ByName) {
  auto d = parse_as<cmd::ServiceDel>("service del web");
  EXPECT_EQ(d.ref.name, "web");
  EXPECT_FALSE(d.ref.proto);
}

TEST(GrammarServiceRef, ByProtoVipPort) {
  auto d = parse_as<cmd::BackendDel>("backend del udp 192.0.2.53:53 10.0.0.1");
  EXPECT_TRUE(d.ref.name.empty());
  EXPECT_EQ(d.ref.proto, Proto::udp);
  ASSERT_TRUE(d.ref.endpoint);
  EXPECT_EQ(d.ref.endpoint->addr.str(), "192.0.2.53");
  EXPECT_EQ(d.ref.endpoint->port, 53);
  EXPECT_EQ(d.addr.str(), "10.0.0.1");
  EXPECT_EQ(d.ref.str(), "udp 192.0.2.53:53");
}

TEST(GrammarServiceRef, PortZeroAndNoPort) {
  auto a = parse_as<cmd::ServiceDel>("service del tcp 192.0.2.1");
  EXPECT_EQ(a.ref.endpoint->port, 0);
  auto b = parse_as<cmd::ServiceDel>("service del tcp 192.0.2.1:0");
  EXPECT_EQ(b.ref.endpoint->port, 0);
  EXPECT_EQ(b.ref.str(), "tcp 192.0.2.1");
}

TEST(GrammarServiceRef, FlowFilters) {
  auto f = parse_as<cmd::FlowsFlush>("flows flush tcp 192.0.2.1:80 backend 10.0.0.1");
  ASSERT_TRUE(f.filter.service);
  EXPECT_EQ(f.filter.service->proto, Proto::tcp);
  ASSERT_TRUE(f.filter.backend);
  EXPECT_EQ(f.filter.backend->str(), "10.0.0.1");
  auto g = parse_as<cmd::FlowsCount>("flows count backend 2001:db8::1 web");
  EXPECT_EQ(g.filter.service->name, "web");
}

// ---------------------------------------------------------------- IPv6

TEST(GrammarIpv6, BracketedVipWithPort) {
  auto a = parse_as<cmd::ServiceAdd>("service add v6 tcp [2001:db8::10]:443");
  EXPECT_EQ(a.service.vip.family, XLB_AF_INET6);
  EXPECT_EQ(a.service.vip.str(), "2001:db8::10");
  EXPECT_EQ(a.service.port, 443);
}

TEST(GrammarIpv6, BracketedVipWithoutPortMeansAllPorts) {
  auto b = parse_as<cmd::ServiceAdd>("service add v6 udp [2001:db8::10]");
  EXPECT_EQ(b.service.vip.str(), "2001:db8::10");
  EXPECT_EQ(b.service.port, 0);
  // ":*", as the listings mark every port, reads back.
  auto c = parse_as<cmd::ServiceAdd>("service add v6 udp [2001:db8::10]:*");
  EXPECT_EQ(c.service.port, 0);
  auto d = parse_as<cmd::ServiceAdd>("service add v4 udp 192.0.2.53:*");
  EXPECT_EQ(d.service.port, 0);
  EXPECT_EQ(d.service.spec(), "udp 192.0.2.53");
  EXPECT_EQ(c.service.spec(), "udp [2001:db8::10]");
}

TEST(GrammarIpv6, RefsAndBackends) {
  auto a = parse_as<cmd::BackendAdd>("backend add tcp [2001:db8::10]:443 fd00::1 weight 3");
  EXPECT_EQ(a.ref.endpoint->addr.str(), "2001:db8::10");
  EXPECT_EQ(a.ref.endpoint->port, 443);
  EXPECT_EQ(a.backend.addr.str(), "fd00::1");
  EXPECT_EQ(a.backend.weight, 3u);
  // Mixed families are the model's business, not the grammar's.
  auto m = parse_as<cmd::BackendAdd>("backend add tcp 192.0.2.1:80 fd00::1");
  EXPECT_EQ(m.backend.addr.family, XLB_AF_INET6);
}

TEST(GrammarIpv6, UnbracketedVipIsRefusedWithTheBracketHint) {
  // 2001:db8::1:80 could be port 80 of 2001:db8::1 or every port of
  // 2001:db8::1:80: refused, nothing created, the two spellings offered.
  auto r = parse_command(split("service add v6 tcp 2001:db8::1:80"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().token, 4);
  EXPECT_NE(r.error().message.find("[2001:db8::1]:80 for port 80"), std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("[2001:db8::1:80] for every port"), std::string::npos);
  auto b = parse_command(split("service add v6 udp 2001:db8::10"));
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.error().message.find("needs brackets"), std::string::npos);
  // References too: `backend add udp 2001:db8::53 ...` names no service.
  EXPECT_FALSE(parse_command(split("backend add udp 2001:db8::53 fd00::1")).ok());
}

TEST(GrammarIpv6, BadForms) {
  for (const char* bad : {"[2001:db8::10]:", "[2001:db8::10", "2001:db8::10]:80", "[10.0.0.1]:80",
                          "[::1]:99999", "[gggg::1]:80"}) {
    auto r = parse_command(split(std::string("service add v tcp ") + bad));
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().token, 4) << bad;
  }
  auto r = parse_command(split("backend add web fd00::1::2"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().token, 3);
}

// ------------------------------------------- errors through the file path

struct FileError {
  std::string rendered;
  bool parsed = false;
};

FileError file_error(const std::string& text) {
  SourceError err;
  auto stmts = lex_text(text, "web.conf", &err);
  EXPECT_TRUE(stmts.ok()) << render_error(err);
  if (!stmts) return {};
  auto cmds = parse_ruleset(*stmts, &err);
  if (cmds) return {"", true};
  EXPECT_EQ(cmds.error().kind, ErrorKind::usage);
  // The one-line form carries the same position and message.
  EXPECT_EQ(cmds.error().message, format_pos(err.pos) + ": " + err.message);
  return {render_error(err), false};
}

void expect_rendered(const std::string& text, const std::string& want) {
  FileError e = file_error(text);
  EXPECT_FALSE(e.parsed) << text;
  EXPECT_EQ(e.rendered, want) << text;
}

TEST(GrammarFileErrors, EveryMessageShowsItsWord) {
  // The same table as above, one statement per file, on line 2: the caret
  // must start under word `token` (or just past the last word).
  for (const auto& e : kErrors) {
    Words w = split(e.line);
    if (w.empty()) continue;
    std::string line = "  " + std::string(e.line);
    FileError got = file_error("# header\n" + line + "\n");
    ASSERT_FALSE(got.parsed) << e.line;
    // Column of the blamed word in `line`, 1-based.
    size_t col = 2;
    for (int i = 0; i < e.token && i < static_cast<int>(w.size()); i++)
      col = line.find(w[i], col) + w[i].size();
    if (e.token < static_cast<int>(w.size())) col = line.find(w[e.token], col);
    size_t len = e.token < static_cast<int>(w.size()) ? w[e.token].size() : 1;
    std::string caret = std::string(col, ' ') + "^" + std::string(len - 1, '~');
    std::string head = "web.conf:2:" + std::to_string(col + 1) + ": error: " + e.message + "\n";
    EXPECT_EQ(got.rendered, head + line + "\n" + caret + "\n") << e.line;
  }
}

TEST(GrammarFileErrors, CaretUnderTheBadValue) {
  expect_rendered("service add web tcp 192.0.2.1:80\nbackend add web 10.0.0.1 weight 70000\n",
                  "web.conf:2:33: error: invalid weight '70000' (expected 0..65535)\n"
                  "backend add web 10.0.0.1 weight 70000\n"
                  "                                ^~~~~\n");
}

TEST(GrammarFileErrors, MissingWordPointsPastTheEnd) {
  expect_rendered("service add web tcp\n",
                  "web.conf:1:20: error: missing VIP[:PORT]\n"
                  "service add web tcp\n"
                  "                   ^\n");
}

TEST(GrammarFileErrors, VariableExpansionKeepsTheVariablesPosition) {
  expect_rendered("define PORT = 99999\nservice add web tcp 192.0.2.1:$PORT\n",
                  "web.conf:2:21: error: invalid VIP '192.0.2.1:99999' (expected ADDR, "
                  "ADDR:PORT or [IPv6]:PORT)\n"
                  "service add web tcp 192.0.2.1:$PORT\n"
                  "                    ^~~~~~~~~~~~~~~\n");
}

TEST(GrammarFileErrors, SecondStatementOnALine) {
  expect_rendered("service add a tcp 192.0.2.1:80; service add b tcp 192.0.2.2:80 ring 8\n",
                  "web.conf:1:69: error: ring size 8 is not a prime (nearest: 7 or 11)\n"
                  "service add a tcp 192.0.2.1:80; service add b tcp 192.0.2.2:80 ring 8\n"
                  "                                                                    ^\n");
}

TEST(GrammarFileErrors, ContinuedLineShowsTheRightLine) {
  expect_rendered("service add web tcp 192.0.2.1:80 \\\n  sched xx\n",
                  "web.conf:2:9: error: invalid scheduler 'xx' (expected mh or sh)\n"
                  "  sched xx\n"
                  "        ^~\n");
}

TEST(GrammarFileErrors, QuotedWordIsUnderlinedWithItsQuotes) {
  expect_rendered("backend add web \"10.0.0.1 \"\n",
                  "web.conf:1:17: error: invalid backend address '10.0.0.1 ' (expected an IPv4 "
                  "or IPv6 address)\n"
                  "backend add web \"10.0.0.1 \"\n"
                  "                ^~~~~~~~~~~\n");
}

TEST(GrammarFileErrors, ReadCommandsAreNotAllowedInAFile) {
  for (const char* line :
       {"service list", "backend list web", "list ruleset", "stats", "flows flush",
        "interface attach eth0", "help", "import ipvsadm -", "backend refresh"}) {
    std::string first = split(line)[0];
    FileError e = file_error(std::string("set seed 1\n") + line + "\n");
    ASSERT_FALSE(e.parsed) << line;
    std::string two = split(line).size() > 1 ? first + " " + split(line)[1] : first;
    EXPECT_EQ(e.rendered, "web.conf:2:1: error: '" + two + "' is not allowed in a ruleset file\n" +
                              line + "\n^" + std::string(first.size() - 1, '~') + "\n")
        << line;
  }
}

TEST(GrammarFileErrors, EditsAreAllowed) {
  FileError e = file_error(
      "flush ruleset\nset seed 7\nservice add web tcp 192.0.2.1:80\nservice set web ring 13\n"
      "backend add web 10.0.0.1 mac 02:00:00:00:00:01\nbackend set web 10.0.0.1 weight 2\n"
      "backend disable web 10.0.0.1\nbackend enable web 10.0.0.1\nbackend del web 10.0.0.1\n"
      "service del web\n");
  EXPECT_TRUE(e.parsed) << e.rendered;
}

// Semantic errors come from apply_ruleset: the caret goes under the service.
TEST(GrammarFileErrors, SemanticErrorNamesTheService) {
  SourceError err;
  auto stmts =
      lex_text("service add web tcp 192.0.2.1:80\nbackend add api 10.0.0.1\n", "web.conf", &err);
  ASSERT_TRUE(stmts.ok());
  auto cmds = parse_ruleset(*stmts, &err);
  ASSERT_TRUE(cmds.ok());
  Config next;
  auto r = apply_ruleset(next, *cmds, &err);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::runtime);
  EXPECT_EQ(render_error(err),
            "web.conf:2:13: error: no such service: api\n"
            "backend add api 10.0.0.1\n"
            "            ^~~\n");
}

}  // namespace
}  // namespace xlb
