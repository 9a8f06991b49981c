// `xlb -i` through a pseudo-terminal, as an operator types: commands, an
// error that does not end the shell, tab completion of keywords and of live
// service names, history in ~/.xlb_history, `quit` and Ctrl-D.
#include <dlfcn.h>
#include <link.h>
#include <poll.h>
#include <pty.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "ruleset_fixture.hpp"

namespace xlb::test {
namespace {

using Clock = std::chrono::steady_clock;

// The file the dynamic loader opens for libreadline.so.8 (what `xlb -i`
// loads), or "" when there is none.
std::string readline_file() {
  void* lib = dlopen("libreadline.so.8", RTLD_NOW | RTLD_LOCAL);
  if (!lib) return "";
  link_map* map = nullptr;
  std::string path;
  if (dlinfo(lib, RTLD_DI_LINKMAP, &map) == 0 && map && map->l_name) {
    char real[PATH_MAX];
    if (realpath(map->l_name, real)) path = real;
  }
  dlclose(lib);
  return path;
}

// In the child only: a mount namespace where `file` reads as /dev/null.
void hide_file(const std::string& file) {
  if (unshare(CLONE_NEWNS) != 0 ||
      mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
      mount("/dev/null", file.c_str(), nullptr, MS_BIND, nullptr) != 0)
    _exit(126);
}

// One shell session on a pty. The child is killed if the test ends early.
// `hidden`: a file the shell's process cannot read (an empty one instead).
class Session {
 public:
  Session(const std::string& pin_path, const std::string& home, const std::string& hidden = "");
  ~Session();
  bool started() const { return pid_ > 0; }
  void type(const std::string& keys) { (void)!write(fd_, keys.data(), keys.size()); }
  // Reads until `text` appears after what earlier expects consumed; true
  // when it did within 10 s. Everything read is in transcript().
  bool expect(const std::string& text);
  // Waits for the shell to exit; its status, or -1 after 10 s.
  int wait_exit();
  const std::string& transcript() const { return out_; }

 private:
  bool read_some(int timeout_ms);
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string out_;
  size_t seen_ = 0;
};

Session::Session(const std::string& pin_path, const std::string& home, const std::string& hidden) {
  pid_ = forkpty(&fd_, nullptr, nullptr, nullptr);
  if (pid_ == 0) {
    if (!hidden.empty()) hide_file(hidden);
    setenv("HOME", home.c_str(), 1);
    setenv("TERM", "dumb", 1);  // plain output: no colours, no bracketed paste
    unsetenv("INPUTRC");
    execl(XLB_BINARY, XLB_BINARY, "--pin-path", pin_path.c_str(), "-i", nullptr);
    _exit(127);
  }
}

Session::~Session() {
  if (pid_ > 0 && waitpid(pid_, nullptr, WNOHANG) == 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (fd_ >= 0) close(fd_);
}

bool Session::read_some(int timeout_ms) {
  pollfd p{fd_, POLLIN, 0};
  if (poll(&p, 1, timeout_ms) <= 0) return false;
  char buf[4096];
  ssize_t n = read(fd_, buf, sizeof buf);
  if (n <= 0) return false;  // EIO once the child is gone
  out_.append(buf, n);
  return true;
}

bool Session::expect(const std::string& text) {
  auto deadline = Clock::now() + std::chrono::seconds(10);
  while (true) {
    size_t at = out_.find(text, seen_);
    if (at != std::string::npos) {
      seen_ = at + text.size();
      return true;
    }
    if (Clock::now() > deadline) return false;
    read_some(100);
  }
}

int Session::wait_exit() {
  auto deadline = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < deadline) {
    read_some(50);  // drain, so the child never blocks on a full pty
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
  }
  return -1;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class Shell : public PinnedTest {};

TEST_F(Shell, CommandsErrorsCompletionHistoryAndQuit) {
  Session sh(pin_path(), dir().path());
  ASSERT_TRUE(sh.started());
  ASSERT_TRUE(sh.expect("xlb> ")) << sh.transcript();
  sh.type("service add web tcp 192.0.2.10:80\r");
  ASSERT_TRUE(sh.expect("xlb> ")) << sh.transcript();
  sh.type("backend add web 10.0.0.1 mac 02:00:00:00:00:0a\r");
  ASSERT_TRUE(sh.expect("xlb> ")) << sh.transcript();
  sh.type("service list\r");
  ASSERT_TRUE(sh.expect("192.0.2.10:80")) << sh.transcript();
  ASSERT_TRUE(sh.expect("10.0.0.1")) << sh.transcript();
  ASSERT_TRUE(sh.expect("xlb> ")) << sh.transcript();

  // An error is one line, and the shell goes on.
  sh.type("service add\r");
  ASSERT_TRUE(sh.expect("xlb: error: missing service name")) << sh.transcript();
  ASSERT_TRUE(sh.expect("xlb> ")) << sh.transcript();

  // serv<TAB> completes the object; the command then runs.
  sh.type("serv\t");
  ASSERT_TRUE(sh.expect("service ")) << sh.transcript();
  sh.type("list web\r");
  ASSERT_TRUE(sh.expect("10.0.0.1")) << sh.transcript();
  ASSERT_TRUE(sh.expect("xlb> ")) << sh.transcript();

  // backend add w<TAB> completes the live service, not the `weight` keyword.
  sh.type("backend add w\t");
  ASSERT_TRUE(sh.expect("backend add web ")) << sh.transcript();
  sh.type("10.0.0.2 mac 02:00:00:00:00:0b\r");
  ASSERT_TRUE(sh.expect("xlb> ")) << sh.transcript();

  sh.type("quit\r");
  EXPECT_EQ(sh.wait_exit(), 0) << sh.transcript();

  const Service* web = live().find_service("web");
  ASSERT_NE(web, nullptr);
  EXPECT_EQ(web->backends.size(), 2u);
  EXPECT_NE(web->find_backend(*IpAddr::parse("10.0.0.2")), nullptr);

  std::string history = slurp(dir().path() + "/.xlb_history");
  for (const char* line :
       {"service add web tcp 192.0.2.10:80", "backend add web 10.0.0.1 mac 02:00:00:00:00:0a",
        "service list", "service add", "service list web",
        "backend add web 10.0.0.2 mac 02:00:00:00:00:0b", "quit"})
    EXPECT_NE(history.find(std::string(line) + "\n"), std::string::npos) << line << "\n" << history;
}

TEST_F(Shell, CtrlDExitsAndHistoryIsRecalled) {
  {
    Session sh(pin_path(), dir().path());
    ASSERT_TRUE(sh.expect("xlb> ")) << sh.transcript();
    sh.type("set seed 77\r");
    ASSERT_TRUE(sh.expect("xlb> ")) << sh.transcript();
    sh.type("\x04");
    EXPECT_EQ(sh.wait_exit(), 0) << sh.transcript();
  }
  EXPECT_EQ(live().settings.seed, 77u);
  // A new session reads the history: Up recalls the last command.
  Session sh(pin_path(), dir().path());
  ASSERT_TRUE(sh.expect("xlb> ")) << sh.transcript();
  sh.type("\x1b[A");
  EXPECT_TRUE(sh.expect("set seed 77")) << sh.transcript();
  sh.type("\x15\x04");  // Ctrl-U empties the line, Ctrl-D ends
  EXPECT_EQ(sh.wait_exit(), 0) << sh.transcript();
}

TEST_F(Shell, FileErrorsInTheShellShowTheCaret) {
  Session sh(pin_path(), dir().path());
  ASSERT_TRUE(sh.expect("xlb> ")) << sh.transcript();
  sh.type("service add web tcp \"192.0.2.1\r");
  ASSERT_TRUE(sh.expect("error:")) << sh.transcript();
  ASSERT_TRUE(sh.expect("^")) << sh.transcript();
  ASSERT_TRUE(sh.expect("xlb> ")) << sh.transcript();
  sh.type("exit\r");
  EXPECT_EQ(sh.wait_exit(), 0) << sh.transcript();
  EXPECT_EQ(live().services.size(), 0u);
}

// A variable defined on one line is known on the next, as in a file.
TEST_F(Shell, DefinesLastForTheSession) {
  Session sh(pin_path(), dir().path());
  ASSERT_TRUE(sh.expect("xlb> ")) << sh.transcript();
  sh.type("define VIP = 192.0.2.30\r");
  ASSERT_TRUE(sh.expect("xlb> ")) << sh.transcript();
  sh.type("service add web tcp $VIP:80\r");
  ASSERT_TRUE(sh.expect("xlb> ")) << sh.transcript();
  sh.type("service add dns udp $NOPE:53\r");
  ASSERT_TRUE(sh.expect("undefined variable")) << sh.transcript();
  ASSERT_TRUE(sh.expect("xlb> ")) << sh.transcript();
  sh.type("quit\r");
  EXPECT_EQ(sh.wait_exit(), 0) << sh.transcript();
  const Service* web = live().find_service("web");
  ASSERT_NE(web, nullptr);
  EXPECT_EQ(web->vip.str(), "192.0.2.30");
  EXPECT_EQ(live().services.size(), 1u);
}

// Without libreadline (xlb loads it only for this shell), `xlb -i` at a
// terminal says so, keeps its prompt and runs commands, with no history.
TEST_F(Shell, WithoutReadlineThePromptStillRunsCommands) {
  const std::string lib = readline_file();
  ASSERT_FALSE(lib.empty()) << "libreadline.so.8 is not installed";
  Session sh(pin_path(), dir().path(), lib);
  ASSERT_TRUE(sh.expect("no line editing or history")) << sh.transcript();
  ASSERT_TRUE(sh.expect("xlb> ")) << sh.transcript();
  sh.type("set seed 78\r");
  ASSERT_TRUE(sh.expect("xlb> ")) << sh.transcript();
  sh.type("quit\r");
  EXPECT_EQ(sh.wait_exit(), 0) << sh.transcript();
  EXPECT_EQ(live().settings.seed, 78u);
  EXPECT_FALSE(std::ifstream(dir().path() + "/.xlb_history").good());
}

// Commands piped into `xlb -i` (a script's edits, one commit per line): an
// error does not stop the lines after it, the output is the commands' own
// (no prompt, no echo), and nothing goes into the operator's history.
TEST_F(Shell, PipedCommandsApplyOneByOneAndKeepNoHistory) {
  const char* home = std::getenv("HOME");
  const std::string saved = home ? home : "";
  setenv("HOME", dir().path().c_str(), 1);
  RunResult r = xlb({"-i"},
                    "service add web tcp 192.0.2.30:80\n"
                    "service add web tcp 192.0.2.31:80\n"
                    "service add dns udp 192.0.2.30:53\n"
                    "service list\n");
  if (home)
    setenv("HOME", saved.c_str(), 1);
  else
    unsetenv("HOME");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("already exists"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("xlb> "), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("service add"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("192.0.2.30:53"), std::string::npos) << r.out;  // service list's
  const Config c = live();
  ASSERT_EQ(c.services.size(), 2u);
  EXPECT_EQ(c.services[1].name, "dns");
  EXPECT_FALSE(std::ifstream(dir().path() + "/.xlb_history").good());
}

}  // namespace
}  // namespace xlb::test
