// `xlb -f` flips whole rulesets under load: one thread runs packets through
// the real program without pause while the real binary applies two rulesets
// in turn. Every packet must meet the whole of A or the whole of B; a broken
// file in between changes nothing at all.
#include <linux/bpf.h>

#include <atomic>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "datapath_fixture.hpp"
#include "ruleset_fixture.hpp"

namespace xlb::test {
namespace {

// A: VIP1 to a1, a2. B: VIP1 to b1, b2, and VIP2 (absent from A) to b3.
const std::string kRulesetA =
    "flush ruleset\n"
    "service add vip1 tcp 192.0.2.1:80 ring 13\n"
    "backend add vip1 10.0.1.1 mac 02:aa:00:00:00:01\n"
    "backend add vip1 10.0.1.2 mac 02:aa:00:00:00:02\n";
const std::string kRulesetB =
    "flush ruleset\n"
    "service add vip1 tcp 192.0.2.1:80 ring 13\n"
    "backend add vip1 10.0.2.1 mac 02:bb:00:00:00:01\n"
    "backend add vip1 10.0.2.2 mac 02:bb:00:00:00:02 weight 3\n"
    "service add vip2 tcp 192.0.2.2:80 ring 7\n"
    "backend add vip2 10.0.2.3 mac 02:bb:00:00:00:03\n";

// Files that would change the ruleset if they were applied in part.
const std::string kLexError = kRulesetB + "service add x tcp \"192.0.2.9:80\n";
const std::string kGrammarError = kRulesetB + "service set vip1 ring 12\n";
const std::string kSemanticError =
    kRulesetB + "backend add nosuch 10.0.3.1 mac 02:cc:00:00:00:01\n";

enum class Seen { a, b, pass, bad };

// What the datapath did with a packet, by the MAC it was sent to.
Seen classify(const TestRunOutput& out) {
  if (out.action == XDP_PASS) return Seen::pass;
  if (out.action != XDP_TX) return Seen::bad;
  auto f = parse_frame(out.frame);
  if (!f) return Seen::bad;
  std::string m = f->dst.str();
  if (m == "02:aa:00:00:00:01" || m == "02:aa:00:00:00:02") return Seen::a;
  if (m.rfind("02:bb:00:00:00:0", 0) == 0) return Seen::b;
  return Seen::bad;
}

// Runs fresh 5-tuples (new flows never pinned to a backend) to VIP1 and
// VIP2 until told to stop, and keeps score.
class Traffic {
 public:
  explicit Traffic(int prog_fd) : fd_(prog_fd), thread_([this] { loop(); }) {}
  ~Traffic() { stop(); }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  // From now on, only ruleset A may be seen (it is live and stays so).
  void expect_only_a(bool on) { only_a_ = on; }

  std::atomic<uint64_t> vip1_a{0}, vip1_b{0}, vip2_pass{0}, vip2_b{0}, packets{0};
  std::mutex mu;
  std::string failure;  // the first bad packet, described

 private:
  void loop();
  void check(uint32_t i, bool vip2, bool only_a);
  void fail(const std::string& what) {
    std::lock_guard lock(mu);
    if (failure.empty()) failure = what;
  }

  int fd_;
  std::atomic<bool> stop_{false}, only_a_{false};
  std::thread thread_;
};

void Traffic::loop() {
  for (uint32_t i = 0; !stop_; i++) check(i, i % 4 == 3, only_a_);
}

void Traffic::check(uint32_t i, bool vip2, bool only_a) {
  PacketSpec p = make_packet("100.64.0.1", vip2 ? "192.0.2.2" : "192.0.2.1", kProtoTcp,
                             static_cast<uint16_t>(1024 + i % 50000), 80);
  p.ip.src = client_addr(i / 50000 + 1);
  auto out = test_run(fd_, frame(p));
  if (!out) return fail("test_run: " + out.error().message);
  packets++;
  Seen s = classify(*out);
  std::string where = " (packet " + std::to_string(i) + (vip2 ? ", VIP2)" : ", VIP1)");
  if (s == Seen::bad) return fail("action " + std::to_string(out->action) + where);
  if (vip2 && s == Seen::a) return fail("VIP2 sent to a backend of A" + where);
  if (!vip2 && s == Seen::pass) return fail("VIP1 passed to the host" + where);
  if (only_a && s == Seen::b) return fail("B seen while A was live" + where);
  if (vip2) (s == Seen::pass ? vip2_pass : vip2_b)++;
  if (!vip2) (s == Seen::a ? vip1_a : vip1_b)++;
}

class Atomicity : public PinnedTest {
 protected:
  // A broken file fails with `status` and leaves the pins as they were.
  void expect_no_change(const std::string& file, int status) {
    std::string before = dump();
    RunResult r = xlb({"-f", file});
    EXPECT_EQ(r.status, status) << file << ": " << r.err;
    EXPECT_NE(r.err.find("error: "), std::string::npos) << r.err;
    EXPECT_EQ(dump(), before) << file;
  }
};

TEST_F(Atomicity, PacketsSeeWholeRulesetsAcross200Flips) {
  std::string a = dir().write("a.conf", kRulesetA), b = dir().write("b.conf", kRulesetB);
  std::string lex = dir().write("lex.conf", kLexError);
  std::string grammar = dir().write("grammar.conf", kGrammarError);
  std::string semantic = dir().write("semantic.conf", kSemanticError);
  apply(kRulesetA);
  Traffic traffic(prog_fd());
  for (int i = 0; i < 200 && !HasFailure(); i++) {
    RunResult r = xlb({"-f", i % 2 ? a : b});
    ASSERT_EQ(r.status, 0) << "flip " << i << ": " << r.err;
    if (i % 40 != 39) continue;
    // A is live: broken files in the middle must keep it whole.
    traffic.expect_only_a(true);
    expect_no_change(lex, 2);
    expect_no_change(grammar, 2);
    expect_no_change(semantic, 1);
    traffic.expect_only_a(false);
  }
  traffic.stop();
  EXPECT_EQ(traffic.failure, "");
  // Both rulesets were really seen, for both VIPs.
  EXPECT_GT(traffic.vip1_a, 0u);
  EXPECT_GT(traffic.vip1_b, 0u);
  EXPECT_GT(traffic.vip2_pass, 0u);
  EXPECT_GT(traffic.vip2_b, 0u);
  RecordProperty("packets", std::to_string(traffic.packets.load()));
}

TEST_F(Atomicity, BrokenFilesChangeNothing) {
  apply(kRulesetB);
  expect_no_change(dir().write("lex.conf", kLexError), 2);
  expect_no_change(dir().write("grammar.conf", kGrammarError), 2);
  expect_no_change(dir().write("semantic.conf", kSemanticError), 1);
  // A file that exceeds a capacity fails in the kernel-facing step.
  std::string big = "flush ruleset\n";
  for (int i = 0; i < 40; i++)
    big += "service add s" + std::to_string(i) + " tcp 192.0.2." + std::to_string(i + 10) + "\n";
  expect_no_change(dir().write("big.conf", big), 1);
  expect_no_change(dir().path() + "/missing.conf", 2);
}

TEST_F(Atomicity, ErrorsShowFileLineAndCaret) {
  apply(kRulesetA);
  std::string f = dir().write("semantic.conf", kSemanticError);
  RunResult r = xlb({"-f", f});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, f + ":7:13: error: no such service: nosuch\n" +
                       "backend add nosuch 10.0.3.1 mac 02:cc:00:00:00:01\n" +
                       "            ^~~~~~\n");
  f = dir().write("grammar.conf", kGrammarError);
  r = xlb({"-f", f});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, f + ":7:23: error: ring size 12 is not a prime (nearest: 11 or 13)\n" +
                       "service set vip1 ring 12\n" + "                      ^~\n");
}

}  // namespace
}  // namespace xlb::test
