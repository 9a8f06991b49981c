// The pure parts behind positioned commit errors and the audit trail: which
// statement an error of the whole file comes from, the id-capacity check the
// transaction makes, and what each command says it changed.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "config/change_summary.hpp"
#include "config/command_table.hpp"
#include "config/lexer.hpp"
#include "config/ruleset.hpp"
#include "model/capacities.hpp"

namespace xlb {
namespace {

struct Parsed {
  std::vector<Statement> stmts;
  std::vector<RulesetCommand> cmds;
};

// Keeps the statements alive: the commands point into them.
std::unique_ptr<Parsed> parse(const std::string& text) {
  auto p = std::make_unique<Parsed>();
  SourceError err;
  auto stmts = lex_text(text, "t.conf", &err);
  EXPECT_TRUE(stmts) << err.message;
  p->stmts = std::move(*stmts);
  auto cmds = parse_ruleset(p->stmts, &err);
  EXPECT_TRUE(cmds) << err.message;
  p->cmds = std::move(*cmds);
  return p;
}

std::string services(int from, int to) {
  std::string out;
  for (int i = from; i < to; i++)
    out += "service add s" + std::to_string(i) + " tcp 192.0.2.1:" + std::to_string(100 + i) + "\n";
  return out;
}

Command command(std::vector<std::string> words) {
  auto c = parse_command(words);
  EXPECT_TRUE(c) << words[0];
  return c ? *c : Command{cmd::Help{}};
}

int culprit_line(const Config& live, const Parsed& p, const Capacities& caps) {
  Config all = live;
  for (const auto& rc : p.cmds) EXPECT_TRUE(apply_edit(all, rc.command));
  Status s = check_id_capacity(live, all, caps);
  if (s) return 0;
  const Statement* at = find_culprit(
      live, p.cmds, s.error(), [&](const Config& c) { return check_id_capacity(live, c, caps); });
  return at ? at->first_line : -1;
}

TEST(Culprit, IsWhereTheErrorStartsToHoldToTheEnd) {
  Capacities caps{.services = 4, .backends = 8, .flows = 16};
  EXPECT_EQ(culprit_line(Config{}, *parse(services(0, 4)), caps), 0);
  EXPECT_EQ(culprit_line(Config{}, *parse(services(0, 6)), caps), 5);
  // Line 6 deletes one: the error stops; line 7 adds one again.
  EXPECT_EQ(
      culprit_line(Config{}, *parse(services(0, 5) + "service del s0\n" + services(5, 6)), caps),
      7);
}

TEST(Culprit, NoneWhenTheProbeDoesNotReproduceTheError) {
  auto p = parse(services(0, 2));
  const Statement* at = find_culprit(Config{}, p->cmds, runtime_error("the kernel said no"),
                                     [](const Config&) -> Status { return {}; });
  EXPECT_EQ(at, nullptr);
}

TEST(Culprit, NoneWhenTheErrorHeldBeforeTheFile) {
  auto p = parse(services(0, 2));
  const Statement* at = find_culprit(Config{}, p->cmds, runtime_error("x"),
                                     [](const Config&) -> Status { return runtime_error("x"); });
  EXPECT_EQ(at, nullptr);
}

// Ids are not reused within one transaction: what is live counts, what
// the new configuration keeps of it does not count twice.
TEST(IdCapacity, CountsLivePlusNew) {
  Capacities caps{.services = 3, .backends = 2, .flows = 16};
  Config live;
  ASSERT_TRUE(apply_edit(live, command({"service", "add", "a", "tcp", "192.0.2.1:80"})));
  ASSERT_TRUE(
      apply_edit(live, command({"backend", "add", "a", "10.0.0.1", "mac", "02:00:00:00:00:01"})));
  Config next = live;
  EXPECT_TRUE(check_id_capacity(live, next, caps));
  ASSERT_TRUE(apply_edit(next, command({"service", "del", "a"})));
  ASSERT_TRUE(apply_edit(next, command({"service", "add", "b", "tcp", "192.0.2.1:81"})));
  ASSERT_TRUE(apply_edit(next, command({"service", "add", "c", "tcp", "192.0.2.1:82"})));
  EXPECT_TRUE(check_id_capacity(live, next, caps));  // a's id is still taken: 3
  ASSERT_TRUE(apply_edit(next, command({"service", "add", "d", "tcp", "192.0.2.1:83"})));
  Status s = check_id_capacity(live, next, caps);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message,
            "capacity exhausted: services (3); re-create the pins with a larger capacity");
  Config more = live;
  ASSERT_TRUE(
      apply_edit(more, command({"backend", "add", "a", "10.0.0.2", "mac", "02:00:00:00:00:02"})));
  EXPECT_TRUE(check_id_capacity(live, more, caps));
  ASSERT_TRUE(
      apply_edit(more, command({"backend", "add", "a", "10.0.0.3", "mac", "02:00:00:00:00:03"})));
  EXPECT_FALSE(check_id_capacity(live, more, caps));
}

TEST(CapacityChoice, OnlyNamedCapacitiesMustMatch) {
  Capacities have{.services = 16, .backends = 512, .flows = 4096};
  EXPECT_TRUE(check_capacity_choice({}, have, "/p"));
  EXPECT_TRUE(check_capacity_choice({.services = 16, .flows = 4096}, have, "/p"));
  Status s = check_capacity_choice({.backends = 512, .flows = 100}, have, "/p");
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("flows 100 (they hold 4096)"), std::string::npos);
  EXPECT_EQ(s.error().message.find("backends 512 ("), std::string::npos);
  EXPECT_EQ(CapacityChoice{.flows = 100}.or_defaults(),
            (Capacities{XLB_DEFAULT_MAX_SERVICES, XLB_DEFAULT_MAX_BACKENDS, 100}));
}

// Every form of the command table is either a change with a summary that
// starts with its object, or a read with none; every configuration edit
// is a change.
TEST(ChangeSummary, EveryFormIsAChangeOrARead) {
  const std::vector<std::string> reads = {
      "interface list", "service list",   "service show", "backend list", "check list",
      "flows list",     "flows count",    "flows get",    "stats",        "nat list",
      "list ruleset",   "import ipvsadm", "decap list",   "filter list",  "capture"};
  for (const auto& s : command_specs()) {
    std::vector<std::string> words;
    std::istringstream in(s.example);
    for (std::string w; in >> w;) words.push_back(w);
    auto cmd = parse_command(words);
    ASSERT_TRUE(cmd) << s.example;
    std::string form = std::string(s.object) + (*s.verb ? std::string(" ") + s.verb : "");
    bool read = std::find(reads.begin(), reads.end(), form) != reads.end();
    auto summary = change_summary(*cmd);
    EXPECT_EQ(summary.has_value(), !read) << form;
    if (is_config_edit(*cmd)) EXPECT_TRUE(summary) << form;
    if (summary) EXPECT_EQ(summary->rfind(s.object, 0), 0u) << form << ": " << *summary;
  }
  EXPECT_EQ(change_summary(command({"backend", "disable", "web", "10.0.0.1"})),
            "backend disable web 10.0.0.1");
}

}  // namespace
}  // namespace xlb
