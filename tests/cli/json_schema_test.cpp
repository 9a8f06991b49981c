// Every read command's -j output against the schema documented in xlb(8),
// JSON OUTPUT: key names and value types, compared ignoring key order (and,
// separately, the documented alphabetical order). Errors under -j are
// {"error": "..."} on stdout.
#include <map>
#include <set>

#include "cli_fixture.hpp"

namespace xlb::test {

namespace {

using nlohmann::json;

enum class T { str, uint, arr, obj, boolean };
using Schema = std::map<std::string, T>;

const Schema kBackend = {{"service", T::str},       {"address", T::str},
                         {"weight", T::uint},       {"state", T::str},
                         {"health", T::str},        {"mac", T::str},
                         {"next_hop", T::str},      {"id", T::uint},
                         {"flows", T::uint},        {"packets", T::uint},
                         {"bytes", T::uint},        {"priority", T::uint},
                         {"new_flows", T::boolean}, {"effective_weight", T::uint}};
const Schema kService = {
    {"name", T::str},    {"proto", T::str},    {"vip", T::str},          {"port", T::uint},
    {"sched", T::str},   {"ring", T::uint},    {"forward", T::str},      {"forward_port", T::uint},
    {"need", T::uint},   {"panic", T::uint},   {"in_panic", T::boolean}, {"panics", T::uint},
    {"checks", T::uint}, {"id", T::uint},      {"flows", T::uint},       {"packets", T::uint},
    {"bytes", T::uint},  {"backends", T::arr}, {"weights", T::str},      {"persist_s", T::uint},
    {"ports", T::arr},   {"vip_len", T::uint}};
const Schema kCheck = {{"service", T::str}, {"index", T::uint},       {"type", T::str},
                       {"port", T::uint},   {"interval_ms", T::uint}, {"timeout_ms", T::uint},
                       {"rise", T::uint},   {"fall", T::uint},        {"path", T::str},
                       {"expect", T::str},  {"host", T::str}};
const Schema kFlow = {{"proto", T::str},   {"client", T::str},    {"client_port", T::uint},
                      {"vip", T::str},     {"vip_port", T::uint}, {"service", T::str},
                      {"backend", T::str}, {"age", T::uint},      {"state", T::str},
                      {"timeout", T::uint}};
const Schema kInterface = {{"name", T::str},     {"ifindex", T::uint}, {"mode", T::str},
                           {"prog_id", T::uint}, {"link_id", T::uint}, {"other_netns", T::boolean},
                           {"netns", T::uint}};
const Schema kCapacities = {
    {"services", T::uint}, {"backends", T::uint}, {"flows", T::uint}, {"memory_bytes", T::uint}};
// The global counters xlb(8) lists under `stats`.
const Schema kGlobal = {{"pass", T::uint},
                        {"tx", T::uint},
                        {"drop", T::uint},
                        {"redirect", T::uint},
                        {"aborted", T::uint},
                        {"drop_no_service", T::uint},
                        {"drop_no_backend", T::uint},
                        {"drop_malformed", T::uint},
                        {"drop_fragment", T::uint},
                        {"icmp_to_flow", T::uint},
                        {"flow_rebalanced", T::uint},
                        {"new_flows", T::uint},
                        {"drop_no_nexthop", T::uint},
                        {"drop_too_big", T::uint},
                        {"icmp_too_big_sent", T::uint},
                        {"drop_encap", T::uint},
                        {"drop_fwd_disabled", T::uint},
                        {"hc_probes", T::uint},
                        {"hc_replies", T::uint},
                        {"drop_hc_unknown", T::uint},
                        {"drop_hc_no_route", T::uint},
                        {"hc_reply_clash", T::uint},
                        {"drop_hc_source", T::uint},
                        {"flow_guard_skipped", T::uint},
                        {"fib_lookups", T::uint},
                        {"hc_chatter", T::uint},
                        {"drop_hc_port", T::uint},
                        {"drop_hc_forwarded", T::uint},
                        {"echo_replies", T::uint},
                        {"drop_echo_rate", T::uint},
                        {"sync_ring_full", T::uint}};

Schema with_rates(Schema s) {
  for (const char* k : {"cps", "pps", "bps"}) s[k] = T::uint;
  return s;
}

bool has_type(const json& v, T t) {
  switch (t) {
    case T::str:
      return v.is_string();
    case T::uint:
      return v.is_number_unsigned();
    case T::boolean:
      return v.is_boolean();
    case T::arr:
      return v.is_array();
    case T::obj:
      return v.is_object();
  }
  return false;
}

void expect_schema(const json& obj, const Schema& schema, const std::string& where) {
  ASSERT_TRUE(obj.is_object()) << where << ": " << obj.dump();
  std::set<std::string> got, want;
  for (const auto& [k, v] : obj.items()) got.insert(k);
  for (const auto& [k, t] : schema) want.insert(k);
  EXPECT_EQ(got, want) << where << ": " << obj.dump();
  for (const auto& [k, t] : schema) {
    if (!obj.contains(k)) continue;
    EXPECT_TRUE(has_type(obj[k], t)) << where << "." << k << ": " << obj[k];
  }
}

void expect_each(const json& list, const Schema& schema, const std::string& where) {
  ASSERT_TRUE(list.is_array()) << where;
  for (const auto& e : list) expect_schema(e, schema, where + "[]");
}

// xlb(8): "keys are in alphabetical order".
void expect_sorted_keys(const nlohmann::ordered_json& j, const std::string& where) {
  if (j.is_array())
    for (const auto& e : j) expect_sorted_keys(e, where + "[]");
  if (!j.is_object()) return;
  std::string prev;
  for (const auto& [k, v] : j.items()) {
    EXPECT_LT(prev, k) << where << ": keys out of order";
    prev = k;
    expect_sorted_keys(v, where + "." + k);
  }
}

class CliJsonSchemaTest : public CliTest {
 protected:
  // Two services (IPv4, IPv6), backends, and one flow.
  void SetUp() override {
    CliTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    attach("xa0");
    xlb_ok({"service", "add", "web", "tcp", "192.0.2.10:80", "ring", "97"});
    xlb_ok({"backend", "add", "web", "10.0.0.1", "mac", "02:be:00:00:00:01", "weight", "5"});
    xlb_ok({"backend", "add", "web", "10.0.0.2", "mac", "02:be:00:00:00:02"});
    xlb_ok({"backend", "disable", "web", "10.0.0.2"});
    xlb_ok({"service", "add", "web6", "udp", "[2001:db8::10]:53", "sched", "sh"});
    xlb_ok({"backend", "add", "web6", "2001:db8::1", "mac", "02:be:00:00:00:03"});
    int prog = attached_prog_fd("xa0");
    ASSERT_GE(prog, 0);
    ASSERT_EQ(run_frame(prog, tcp_frame("198.51.100.1", 1234, "192.0.2.10", 80)).action, XDP_TX);
  }

  // `xlb -j ARGS`: parsed, with its key order checked on the raw text.
  json read(const Args& args) {
    Args a{"-j"};
    a.insert(a.end(), args.begin(), args.end());
    RunResult r = xlb(a);
    EXPECT_EQ(r.status, 0) << r.describe();
    EXPECT_EQ(r.out.find('\n'), r.out.size() - 1) << "one document on one line: " << r.out;
    // Byte for byte as nlohmann writes the document (the big views are
    // written as text in one pass, state/json_text.hpp).
    EXPECT_EQ(r.out, json::parse(r.out, nullptr, false).dump() + "\n");
    auto ordered = nlohmann::ordered_json::parse(r.out, nullptr, false);
    EXPECT_FALSE(ordered.is_discarded()) << r.out;
    expect_sorted_keys(ordered, args[0]);
    return json::parse(r.out, nullptr, false);
  }

  void expect_error(const Args& args, int status) {
    Args a{"-j"};
    a.insert(a.end(), args.begin(), args.end());
    RunResult r = xlb(a);
    EXPECT_EQ(r.status, status) << r.describe();
    json j = json::parse(r.out, nullptr, false);
    ASSERT_TRUE(j.is_object()) << r.describe();
    expect_schema(j, {{"error", T::str}}, "error of " + args[0]);
    EXPECT_FALSE(j.value("error", "").empty());
    EXPECT_EQ(r.err, "") << "the error goes to stdout only under -j";
  }
};

TEST_F(CliJsonSchemaTest, ServiceList) {
  for (const Args& a : {Args{"service", "list"}, Args{"service", "show"}, Args{"service"}}) {
    json j = read(a);
    expect_schema(j, {{"services", T::arr}}, "service list");
    ASSERT_EQ(j["services"].size(), 2u);
    expect_each(j["services"], kService, "services");
    for (const auto& s : j["services"]) expect_each(s["backends"], kBackend, "backends");
  }
  json web = read({"service", "list", "web"})["services"];
  ASSERT_EQ(web.size(), 1u);
  EXPECT_EQ(web[0]["vip"], "192.0.2.10");
  EXPECT_EQ(web[0]["ring"], 97);
  EXPECT_EQ(web[0]["packets"], 1);
  json v6 = read({"service", "list", "udp", "[2001:db8::10]:53"})["services"][0];
  EXPECT_EQ(v6["name"], "web6");
  EXPECT_EQ(v6["proto"], "udp");
  EXPECT_EQ(v6["sched"], "sh");
  EXPECT_EQ(v6["forward"], "dsr");
}

TEST_F(CliJsonSchemaTest, BackendList) {
  json j = read({"backend", "list"});
  expect_schema(j, {{"backends", T::arr}}, "backend list");
  expect_each(j["backends"], kBackend, "backends");
  EXPECT_EQ(j["backends"].size(), 3u);
  json web = read({"backend", "list", "web"})["backends"];
  ASSERT_EQ(web.size(), 2u);
  EXPECT_EQ(web[0]["address"], "10.0.0.1");
  EXPECT_EQ(web[0]["weight"], 5);
  EXPECT_EQ(web[0]["mac"], "02:be:00:00:00:01");
  EXPECT_EQ(web[0]["health"], "up");
  EXPECT_EQ(web[1]["state"], "disabled");
}

TEST_F(CliJsonSchemaTest, CheckList) {
  xlb_ok({"check", "add", "web", "http", "path", "/healthz", "expect", "200-299", "rise", "1"});
  xlb_ok({"check", "add", "web", "tcp", "port", "8080", "interval", "500ms", "timeout", "200ms"});
  xlb_ok({"check", "add", "web6", "dns", "host", "example.org"});
  json j = read({"check", "list"});
  expect_schema(j, {{"checks", T::arr}}, "check list");
  expect_each(j["checks"], kCheck, "checks");
  ASSERT_EQ(j["checks"].size(), 3u);
  json web = read({"check", "list", "web"})["checks"];
  ASSERT_EQ(web.size(), 2u);
  EXPECT_EQ(web[0]["index"], 1);
  EXPECT_EQ(web[0]["port"], 80);  // the service's
  EXPECT_EQ(web[0]["expect"], "200-299");
  EXPECT_EQ(web[1]["port"], 8080);
  EXPECT_EQ(web[1]["interval_ms"], 500);
  EXPECT_EQ(read({"service", "list", "web"})["services"][0]["checks"], 2);
  // A check that breaks the service's invariants changes nothing.
  expect_error({"check", "add", "web", "tcp", "timeout", "5s"}, 2);
  expect_error({"check", "add", "web6", "tcp"}, 2);
  expect_error({"check", "del", "web", "7"}, 1);
  EXPECT_EQ(read({"check", "list"})["checks"].size(), 3u);
  xlb_ok({"check", "del", "web", "http"});
  EXPECT_EQ(read({"check", "list", "web"})["checks"][0]["type"], "tcp");
}

TEST_F(CliJsonSchemaTest, Flows) {
  json list = read({"flows", "list"});
  expect_schema(list, {{"flows", T::arr}}, "flows list");
  ASSERT_EQ(list["flows"].size(), 1u);
  expect_each(list["flows"], kFlow, "flows");
  EXPECT_EQ(list["flows"][0]["client_port"], 1234);
  expect_schema(read({"flows"}), {{"flows", T::arr}}, "flows");
  json count = read({"flows", "count", "web"});
  expect_schema(count, {{"flows", T::uint}}, "flows count");
  EXPECT_EQ(count["flows"], 1);
  json flushed = read({"flows", "flush"});
  expect_schema(flushed, {{"flushed", T::uint}}, "flows flush");
  EXPECT_EQ(flushed["flushed"], 1);
}

TEST_F(CliJsonSchemaTest, Stats) {
  json j = read({"stats"});
  expect_schema(j, {{"services", T::arr}, {"global", T::obj}, {"sync", T::obj}}, "stats");
  expect_each(j["services"], kService, "stats.services");
  for (const auto& s : j["services"]) expect_each(s["backends"], kBackend, "stats.backends");
  expect_schema(j["global"], kGlobal, "stats.global");
  EXPECT_EQ(read({"stats", "web"})["services"].size(), 1u);

  json rate = read({"stats", "--rate", "interval", "100", "count", "1"});
  expect_schema(rate, {{"services", T::arr}, {"global", T::obj}, {"sync", T::obj}}, "stats --rate");
  expect_each(rate["services"], with_rates(kService), "rate.services");
  for (const auto& s : rate["services"])
    expect_each(s["backends"], with_rates(kBackend), "rate.backends");
  expect_schema(rate["global"], kGlobal, "rate.global");
}

TEST_F(CliJsonSchemaTest, InterfaceList) {
  json j = read({"interface", "list"});
  expect_schema(j, {{"interfaces", T::arr}, {"capacities", T::obj}, {"layout", T::uint}},
                "interface list");
  expect_each(j["interfaces"], kInterface, "interfaces");
  expect_schema(j["capacities"], kCapacities, "capacities");
  EXPECT_GT(j["capacities"]["memory_bytes"].get<uint64_t>(), 0u);
  expect_schema(read({"interface"}),
                {{"interfaces", T::arr}, {"capacities", T::obj}, {"layout", T::uint}}, "interface");
}

TEST_F(CliJsonSchemaTest, ListRulesetAndHelp) {
  json rs = read({"list", "ruleset"});
  expect_schema(rs, {{"ruleset", T::str}, {"settings", T::obj}}, "list ruleset");
  expect_schema(
      rs["settings"],
      {{"seed", T::uint}, {"flow_guard", T::uint}, {"icmp_echo", T::boolean}, {"timeouts", T::obj}},
      "list ruleset.settings");
  EXPECT_EQ(rs["ruleset"].get<std::string>(), xlb_ok({"list", "ruleset"}));
  EXPECT_EQ(rs["ruleset"].get<std::string>().rfind("flush ruleset\n", 0), 0u);
  for (const Args& a : {Args{"help"}, Args{"service", "help"}, Args{"flows", "help"}}) {
    json h = read(a);
    expect_schema(h, {{"help", T::str}}, "help");
    EXPECT_NE(h["help"].get<std::string>().find("xlb "), std::string::npos);
  }
  json imp = read({"import", "ipvsadm", "/dev/null"});
  expect_schema(imp, {{"ruleset", T::str}, {"warnings", T::arr}}, "import ipvsadm");
}

TEST_F(CliJsonSchemaTest, PrettyIsTheSameDocument) {
  RunResult p = xlb({"-p", "backend", "list"});
  ASSERT_EQ(p.status, 0) << p.describe();
  EXPECT_GT(std::count(p.out.begin(), p.out.end(), '\n'), 3);
  EXPECT_EQ(json::parse(p.out), read({"backend", "list"}));
  for (const Args& a : {Args{"-p", "stats"}, Args{"-p", "service", "list"}}) {
    RunResult r = xlb(a);
    EXPECT_EQ(r.out, json::parse(r.out, nullptr, false).dump(2) + "\n") << a[1];
  }
  // -j after the command, as documented.
  RunResult after = xlb({"service", "list", "-j"});
  EXPECT_EQ(json::parse(after.out, nullptr, false), read({"service", "list"}));
}

TEST_F(CliJsonSchemaTest, EditsPrintNothing) {
  for (const Args& a : {Args{"-j", "backend", "set", "web", "10.0.0.1", "weight", "6"},
                        Args{"-j", "service", "set", "web", "sched", "sh"},
                        Args{"-j", "stats", "reset"}, Args{"-j", "set", "seed", "7"}})
    EXPECT_EQ(xlb_ok(a), "") << a[1];
  EXPECT_EQ(read({"backend", "list", "web"})["backends"][0]["weight"], 6);
}

TEST_F(CliJsonSchemaTest, ErrorsAreJsonOnStdout) {
  expect_error({"service", "del", "nosuch"}, 1);
  expect_error({"service", "list", "nosuch"}, 1);
  expect_error({"backend", "add", "web", "10.0.0.1", "mac", "02:00:00:00:00:09"}, 1);
  expect_error({"flows", "count", "backend", "10.9.9.9"}, 1);
  expect_error({"service", "frobnicate"}, 2);
  expect_error({"frobnicate"}, 2);
  expect_error({"backend", "add", "web", "10.0.0.9", "weight", "70000"}, 2);
  expect_error({"--bogus-option", "service", "list"}, 2);
  expect_error({"--pin-path"}, 2);  // from CLI11
}

}  // namespace

}  // namespace xlb::test
