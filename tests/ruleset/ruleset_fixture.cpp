#include "ruleset_fixture.hpp"

#include <bpf/bpf.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "xlb_abi.h"

namespace xlb::test {

namespace {

// A file in memory: the child writes to it, the parent reads it after wait,
// so no pipe can fill up and block either side.
int memfile(const std::string& name, const std::string& content) {
  int fd = memfd_create(name.c_str(), 0);
  if (fd >= 0 && !content.empty()) {
    (void)!write(fd, content.data(), content.size());
    lseek(fd, 0, SEEK_SET);
  }
  return fd;
}

std::string read_all(int fd) {
  std::string out;
  lseek(fd, 0, SEEK_SET);
  char buf[4096];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) out.append(buf, n);
  close(fd);
  return out;
}

[[noreturn]] void exec_child(const std::vector<std::string>& args, int in, int out, int err) {
  dup2(in, 0);
  dup2(out, 1);
  dup2(err, 2);
  std::vector<char*> argv{const_cast<char*>(XLB_BINARY)};
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  execv(XLB_BINARY, argv.data());
  _exit(127);
}

}  // namespace

RunResult run_xlb(const std::vector<std::string>& args, const std::string& input) {
  int in = memfile("in", input), out = memfile("out", ""), err = memfile("err", "");
  RunResult r;
  pid_t pid = fork();
  if (pid == 0) exec_child(args, in, out, err);
  int status = 0;
  if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status))
    r.status = WEXITSTATUS(status);
  close(in);
  r.out = read_all(out);
  r.err = read_all(err);
  return r;
}

TempDir::TempDir() {
  char tmpl[] = "/tmp/xlb-ruleset-test-XXXXXX";
  if (mkdtemp(tmpl)) path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  if (!path_.empty()) std::filesystem::remove_all(path_, ec);
}

std::string TempDir::write(const std::string& name, const std::string& text) const {
  std::string p = path_ + "/" + name;
  std::ofstream(p, std::ios::trunc) << text;
  return p;
}

void PinnedTest::SetUp() {
  if (geteuid() != 0) GTEST_SKIP() << "ruleset tests need root (BPF, bpffs mount)";
  bpffs_.emplace();
  ASSERT_TRUE(bpffs_->ok()) << bpffs_->error();
  dir_.emplace();
  ASSERT_FALSE(dir_->path().empty());
  pin_path_ = bpffs_->path() + "/xlb";
  LoadOptions opts;
  opts.pin_path = pin_path_;
  // Small maps: the tests need a few services, and creating them is quick.
  opts.caps = Capacities{.services = 32, .backends = 512, .flows = 65536};
  opts.iface_mac = *MacAddr::parse("02:00:00:00:00:01");
  auto prog = load_datapath(opts);
  ASSERT_TRUE(prog.ok()) << prog.error().message;
  prog_.emplace(std::move(*prog));
  auto state = State::open(pin_path_);
  ASSERT_TRUE(state.ok()) << state.error().message;
  state_.emplace(std::move(*state));
}

RunResult PinnedTest::xlb(std::vector<std::string> args, const std::string& input) const {
  args.insert(args.begin(), {"--pin-path", pin_path_});
  return run_xlb(args, input);
}

void PinnedTest::apply(const std::string& text) const {
  RunResult r = xlb({"-f", "-"}, text);
  ASSERT_EQ(r.status, 0) << r.err << "\n" << text;
}

std::string PinnedTest::list_ruleset() const {
  RunResult r = xlb({"list", "ruleset"});
  EXPECT_EQ(r.status, 0) << r.err;
  return r.out;
}

Config PinnedTest::live() const {
  auto c = state_->read();
  EXPECT_TRUE(c.ok()) << c.error().message;
  return c.ok() ? *c : Config{};
}

std::string PinnedTest::dump() const {
  nlohmann::json j = live();
  xlb_ctl ctl{};
  uint32_t zero = 0;
  EXPECT_EQ(bpf_map_lookup_elem(state_->maps().ctl(), &zero, &ctl), 0);
  return list_ruleset() + j.dump() + "\nactive bank " + std::to_string(ctl.active_bank) +
         " generation " + std::to_string(ctl.generation) + "\n";
}

}  // namespace xlb::test
