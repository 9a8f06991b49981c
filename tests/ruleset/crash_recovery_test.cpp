// A writer killed anywhere leaves nothing half-committed (issue 20, defect
// 1). `xlb -f` is killed with SIGKILL at random points, 200 times, between
// two rulesets that give the same backends different MACs (entries written
// in place before the flip), add some backends and remove others (entries
// zeroed after it). After each kill: the ruleset is the whole old or the
// whole new one; the next command works; after it, every entry of the
// datapath's xlb_backends is exactly what the committed ruleset says.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include <chrono>
#include <cstring>
#include <random>
#include <thread>

#include "ruleset_fixture.hpp"
#include "state/backend_entries.hpp"

namespace xlb::test {
namespace {

// 12 services of 8 backends; `second` changes every MAC and weight, drops
// backend 1 and adds backends 9 and 10 to each service.
std::string ruleset(bool second) {
  std::string text = "flush ruleset\nset seed 7\n";
  for (int s = 0; s < 12; s++) {
    std::string name = "s" + std::to_string(s);
    text += "service add " + name + " tcp 192.0.2." + std::to_string(s + 1) + ":80 ring 13\n";
    for (int b = second ? 2 : 1; b <= (second ? 10 : 8); b++) {
      char mac[32];
      std::snprintf(mac, sizeof mac, "02:%02x:00:00:%02x:%02x", second ? 0xbb : 0xaa, s, b);
      text += "backend add " + name + " 10.1." + std::to_string(s) + "." + std::to_string(b) +
              " mac " + mac + " weight " + std::to_string(second ? 2 : 1) + "\n";
    }
  }
  return text;
}

// Starts `xlb -f file`, kills it after `delay`; true when it was still running.
bool run_and_kill(const std::string& pin, const std::string& file,
                  std::chrono::microseconds delay) {
  pid_t pid = fork();
  if (pid == 0) {
    int null = open("/dev/null", O_RDWR);
    dup2(null, 1);
    dup2(null, 2);
    execl(XLB_BINARY, XLB_BINARY, "--pin-path", pin.c_str(), "-f", file.c_str(), nullptr);
    _exit(127);
  }
  std::this_thread::sleep_for(delay);
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFSIGNALED(status);
}

class CrashRecoveryTest : public PinnedTest {
 protected:
  // Every entry of xlb_backends against the committed configuration;
  // returns the first difference, "" when there is none.
  std::string backends_mismatch() {
    auto m = Maps::open(pin_path());
    if (!m) return m.error().message;
    BackendEntries want = backend_entries(live());
    for (uint32_t id = 0; id < m->caps().backends; id++) {
      xlb_backend have{};
      if (bpf_map_lookup_elem(m->backends(), &id, &have) != 0) return "cannot read the map";
      auto w = want.find(id);
      xlb_backend wanted = w == want.end() ? xlb_backend{} : w->second;
      if (std::memcmp(&have, &wanted, sizeof(have)) != 0)
        return "backend id " + std::to_string(id) + " differs from the committed ruleset";
    }
    return "";
  }
};

TEST_F(CrashRecoveryTest, KilledWritersLeaveTheCommittedRulesetInTheDatapath) {
  const std::string files[2] = {dir().write("a.conf", ruleset(false)),
                                dir().write("b.conf", ruleset(true))};
  std::string printed[2];
  auto start = std::chrono::steady_clock::now();
  for (int i : {1, 0}) {
    ASSERT_EQ(xlb({"-f", files[i]}).status, 0);
    printed[i] = list_ruleset();
  }
  // Kill points spread over a whole run, from exec to exit.
  auto full = std::chrono::duration_cast<std::chrono::microseconds>(
                  std::chrono::steady_clock::now() - start) /
              2;
  std::mt19937 rng(20);
  int current = 0, killed = 0, changed = 0;
  double scale = 1.0;  // follows the machine's load: about half the kills hit a running xlb
  for (int round = 0; round < 200; round++) {
    std::uniform_int_distribution<int64_t> delay(0, int64_t(full.count() * scale));
    bool hit = run_and_kill(pin_path(), files[current ^ 1], std::chrono::microseconds(delay(rng)));
    killed += hit;
    scale *= hit ? 1.05 : 0.9;
    std::string now = list_ruleset();
    ASSERT_TRUE(now == printed[0] || now == printed[1]) << "round " << round << ": a mix\n" << now;
    int seen = now == printed[1] ? 1 : 0;
    changed += seen != current;
    current = seen;
    RunResult next = xlb({"set", "seed", "7"});
    ASSERT_EQ(next.status, 0) << "round " << round << ": " << next.err;
    ASSERT_EQ(list_ruleset(), printed[current]) << "round " << round;
    ASSERT_EQ(backends_mismatch(), "") << "round " << round << " (after: " << next.err << ")";
  }
  std::printf("200 rounds: %d kills hit a running xlb, %d files applied whole\n", killed, changed);
  EXPECT_GE(killed, 60);
  EXPECT_GE(changed, 20);
}

}  // namespace
}  // namespace xlb::test
