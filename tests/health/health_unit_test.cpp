// Health checks without the network: durations, the check grammar and its
// round trip through the ruleset printer, the rise/fall state machine, the
// VIP announcement policy and the BIRD include file.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "config/command.hpp"
#include "config/ruleset.hpp"
#include "health/health_checker.hpp"
#include "health/health_export.hpp"
#include "health/health_fsm.hpp"
#include "model/check.hpp"
#include "model/health_vips.hpp"

using namespace xlb;

namespace {

Result<Command> parse(const std::string& line) {
  std::vector<std::string> words;
  std::string w;
  for (char ch : line + " ")
    if (ch == ' ') {
      if (!w.empty()) words.push_back(w);
      w.clear();
    } else {
      w += ch;
    }
  return parse_command(words);
}

Config apply(const std::vector<std::string>& lines) {
  Config c;
  for (const auto& l : lines) {
    auto cmd = parse(l);
    EXPECT_TRUE(cmd) << l << ": " << cmd.error().message;
    if (!cmd) continue;
    auto s = apply_edit(c, *cmd);
    EXPECT_TRUE(s) << l << ": " << s.error().message;
  }
  return c;
}

}  // namespace

TEST(Duration, ParsesUnits) {
  EXPECT_EQ(parse_duration_ms("500ms"), 500u);
  EXPECT_EQ(parse_duration_ms("2s"), 2000u);
  EXPECT_EQ(parse_duration_ms("1m"), 60000u);
  EXPECT_EQ(parse_duration_ms("60m"), 3600000u);
  for (const char* bad : {"", "2", "s", "0s", "61m", "1h", "2 s", "-1s", "1.5s", "99999999999ms"})
    EXPECT_FALSE(parse_duration_ms(bad)) << bad;
}

TEST(Duration, FormatsShortest) {
  EXPECT_EQ(format_duration_ms(1500), "1500ms");
  EXPECT_EQ(format_duration_ms(2000), "2s");
  EXPECT_EQ(format_duration_ms(120000), "2m");
  for (uint32_t ms : {1u, 999u, 1000u, 61000u, 3600000u})
    EXPECT_EQ(parse_duration_ms(format_duration_ms(ms)), ms);
}

TEST(CheckGrammar, ParsesEveryOption) {
  auto c = parse(
      "check add web http port 8080 path /healthz expect 200-204 host www.example "
      "interval 5s timeout 500ms rise 3 fall 4");
  ASSERT_TRUE(c) << c.error().message;
  const auto& a = std::get<cmd::CheckAdd>(*c);
  EXPECT_EQ(a.ref.name, "web");
  EXPECT_EQ(a.check.type, CheckType::http);
  EXPECT_EQ(a.check.port, 8080);
  EXPECT_EQ(a.check.path, "/healthz");
  EXPECT_EQ(a.check.expect_lo, 200);
  EXPECT_EQ(a.check.expect_hi, 204);
  EXPECT_EQ(a.check.host, "www.example");
  EXPECT_EQ(a.check.interval_ms, 5000u);
  EXPECT_EQ(a.check.timeout_ms, 500u);
  EXPECT_EQ(a.check.rise, 3u);
  EXPECT_EQ(a.check.fall, 4u);
}

TEST(CheckGrammar, RejectsBadWordsAtTheirPosition) {
  struct Case {
    const char* line;
    int token;
  } cases[] = {
      {"check add web ftp", 3},
      {"check add web tcp path /x", 4},
      {"check add web http path x", 5},
      {"check add web http expect 300-200", 5},
      {"check add web http expect 99-200", 5},
      {"check add web tcp port 0", 5},
      {"check add web tcp rise 0", 5},
      {"check add web tcp interval 2", 5},
      {"check add web tcp fall 2 fall 3", 6},
      {"check del web nine", 3},
      {"check add web", 3},
  };
  for (const auto& c : cases) {
    auto r = parse(c.line);
    ASSERT_FALSE(r) << c.line;
    EXPECT_EQ(r.error().kind, ErrorKind::usage) << c.line;
    EXPECT_EQ(r.error().token, c.token) << c.line << ": " << r.error().message;
  }
}

TEST(CheckModel, ValidatesAgainstTheService) {
  Config c = apply({"service add web tcp 192.0.2.10:80", "service add all tcp 192.0.2.11",
                    "service add dns udp 192.0.2.53:53"});
  for (const char* bad : {"check add web tcp timeout 2s", "check add web tcp interval 1s",
                          "check add web dns host x", "check add dns tcp", "check add all tcp",
                          "check add dns dns", "service set web need 70000"}) {
    Config copy = c;
    auto cmd = parse(bad);
    if (!cmd) continue;  // refused by the grammar: also fine
    EXPECT_FALSE(apply_edit(copy, *cmd)) << bad;
  }
  Config ok = apply({"service add all tcp 192.0.2.11", "check add all tcp port 22"});
  EXPECT_EQ(ok.services[0].checks.size(), 1u);
}

TEST(CheckModel, DelByIndexAndType) {
  Config c = apply({"service add web tcp 192.0.2.10:80", "check add web tcp", "check add web http",
                    "check add web http port 81", "check add web tcp port 82"});
  Config d = c;
  ASSERT_TRUE(apply_edit(d, *parse("check del web 2")));
  ASSERT_EQ(d.services[0].checks.size(), 3u);
  EXPECT_EQ(d.services[0].checks[1].port, 81);
  d = c;
  ASSERT_TRUE(apply_edit(d, *parse("check del web http")));
  ASSERT_EQ(d.services[0].checks.size(), 2u);
  EXPECT_EQ(d.services[0].checks[1].port, 82);
  d = c;
  ASSERT_TRUE(apply_edit(d, *parse("check del web")));
  EXPECT_TRUE(d.services[0].checks.empty());
  d = c;
  EXPECT_FALSE(apply_edit(d, *parse("check del web 5")));
  EXPECT_FALSE(apply_edit(d, *parse("check del web dns")));
  EXPECT_EQ(d.services[0].checks.size(), 4u);  // nothing changed
}

TEST(CheckRuleset, RoundTripsWithDefaultsLeftOut) {
  Config c = apply({"service add web tcp 192.0.2.10:80 need 2",
                    "check add web http path /healthz expect 200-299 host h.example interval 500ms "
                    "timeout 200ms rise 1",
                    "check add web tcp port 8080", "service add dns udp 192.0.2.53:53",
                    "check add dns dns host example.org fall 5", "check add dns udp"});
  std::string text = print_ruleset(c);
  EXPECT_NE(text.find("service add web tcp 192.0.2.10:80 sched mh need 2\n"), std::string::npos);
  EXPECT_NE(text.find("check add web http path /healthz expect 200-299 host h.example interval "
                      "500ms timeout 200ms rise 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("check add web tcp port 8080\n"), std::string::npos);
  EXPECT_NE(text.find("check add dns udp\n"), std::string::npos);
  std::vector<std::string> lines;
  for (size_t at = 0, nl; (nl = text.find('\n', at)) != std::string::npos; at = nl + 1)
    lines.push_back(text.substr(at, nl - at));
  Config again = apply(lines);
  EXPECT_EQ(print_ruleset(again), text);
  EXPECT_EQ(again.services[0].checks, c.services[0].checks);
  EXPECT_EQ(again.services[0].need, 2u);
}

TEST(CheckJson, OldStoresWithoutChecksLoad) {
  nlohmann::json j;
  Config c = apply({"service add web tcp 192.0.2.10:80 need 3", "check add web http rise 4"});
  to_json(j, c);
  auto back = config_from_json(j);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->services[0].checks, c.services[0].checks);
  EXPECT_EQ(back->services[0].need, 3u);
  j["services"][0].erase("checks");
  j["services"][0].erase("need");
  back = config_from_json(j);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_TRUE(back->services[0].checks.empty());
  EXPECT_EQ(back->services[0].need, 1u);
}

TEST(CheckFsm, FallsAfterFallFailuresInARow) {
  CheckFsm f(Health::up);
  EXPECT_FALSE(f.feed(false, 2, 3));
  EXPECT_FALSE(f.feed(false, 2, 3));
  EXPECT_FALSE(f.feed(true, 2, 3));  // the run is broken
  EXPECT_FALSE(f.feed(false, 2, 3));
  EXPECT_FALSE(f.feed(false, 2, 3));
  EXPECT_TRUE(f.feed(false, 2, 3));
  EXPECT_EQ(f.state(), Health::down);
  EXPECT_FALSE(f.feed(false, 2, 3));  // stays down, no new transition
}

TEST(CheckFsm, RisesAfterRisePassesInARow) {
  CheckFsm f(Health::down);
  EXPECT_FALSE(f.feed(true, 2, 3));
  EXPECT_FALSE(f.feed(false, 2, 3));
  EXPECT_FALSE(f.feed(true, 2, 3));
  EXPECT_TRUE(f.feed(true, 2, 3));
  EXPECT_EQ(f.state(), Health::up);
}

TEST(CheckFsm, RestartFromTheStoredStateDoesNotFlap) {
  // A daemon restarted while a backend is up: passes keep it up with no
  // transition; a restart while down needs `rise` passes again.
  CheckFsm up(Health::up);
  for (int i = 0; i < 5; i++) EXPECT_FALSE(up.feed(true, 2, 3));
  CheckFsm down(Health::down);
  EXPECT_FALSE(down.feed(true, 3, 3));
  EXPECT_FALSE(down.feed(true, 3, 3));
  EXPECT_TRUE(down.feed(true, 3, 3));
  CheckFsm once(Health::down);
  EXPECT_TRUE(once.feed(true, 1, 1));
  EXPECT_TRUE(once.feed(false, 1, 1));
}

TEST(VipPolicy, EveryServiceOfTheVipNeedsItsBackends) {
  Config c =
      apply({"service add web tcp 192.0.2.10:80 need 2", "service add tls tcp 192.0.2.10:443",
             "service add other tcp 192.0.2.11:80 need 0"});
  auto add = [&](int s, const char* a) {
    Backend b;
    b.addr = *IpAddr::parse(a);
    c.services[s].backends.push_back(b);
  };
  add(0, "10.0.0.1");
  add(0, "10.0.0.2");
  add(1, "10.0.0.1");
  EXPECT_EQ(announced_vips(c).size(), 2u);
  c.services[0].backends[1].health = Health::down;  // web: 1 < need 2
  auto v = vip_states(c);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_FALSE(v[0].announced);
  EXPECT_TRUE(v[1].announced);  // need 0: always
  c.services[0].backends[1].health = Health::up;
  c.services[1].backends[0].admin = Admin::disabled;  // tls: no usable backend
  EXPECT_FALSE(vip_states(c)[0].announced);
  c.services[1].backends[0].admin = Admin::enabled;
  c.services[1].backends[0].weight = 0;
  EXPECT_FALSE(vip_states(c)[0].announced);
}

TEST(BirdInclude, BothFamiliesAndEmptySets) {
  EXPECT_EQ(bird_include_text({}).substr(bird_include_text({}).find("define")),
            "define XLB_VIPS = [ ];\ndefine XLB_VIPS6 = [ ];\n");
  std::string t = bird_include_text(
      {IpPrefix::host(*IpAddr::parse("192.0.2.10")), IpPrefix::host(*IpAddr::parse("192.0.2.11")),
       *IpPrefix::parse("198.51.100.20/30"), IpPrefix::host(*IpAddr::parse("2001:db8::10"))});
  EXPECT_NE(t.find("define XLB_VIPS = [ 192.0.2.10/32, 192.0.2.11/32, 198.51.100.20/30 ];"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("define XLB_VIPS6 = [ 2001:db8::10/128 ];"), std::string::npos);
}

// A prefix VIP is announced as its prefix, beside an exact VIP inside it.
TEST(VipStates, PrefixVipsAreAnnouncedAsTheirPrefix) {
  Config c = apply(
      {"service add net tcp 192.0.2.20/30:80 need 0", "service add one tcp 192.0.2.22:80 need 0"});
  auto v = announced_vips(c);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].str(), "192.0.2.20/30");
  EXPECT_EQ(v[1].str(), "192.0.2.22/32");
  EXPECT_EQ(v[0].brief(), "192.0.2.20/30");
  EXPECT_EQ(v[1].brief(), "192.0.2.22");
}

TEST(Checker, AServiceWithoutChecksHasItsBackendsUp) {
  Config c = apply({"service add web tcp 192.0.2.10:80"});
  Backend b;
  b.addr = *IpAddr::parse("10.0.0.1");
  b.health = Health::down;  // e.g. its checks were just deleted
  c.services[0].backends.push_back(b);
  auto loop = ProbeLoop::create();
  ASSERT_TRUE(loop);
  HealthChecker hc(
      std::move(*loop), {}, [](const std::string&) {}, [](const std::string&) {});
  hc.sync(c);
  EXPECT_TRUE(hc.all_probed());  // nothing to probe
  auto ch = hc.changes(c);
  ASSERT_EQ(ch.size(), 1u);
  EXPECT_EQ(ch[0].service, "web");
  EXPECT_EQ(ch[0].health, Health::up);
}
