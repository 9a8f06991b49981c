#include "cli_fixture.hpp"

#include <bpf/bpf.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cstdlib>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <random>

namespace xlb::test {

namespace {

std::string read_all(int fd) {
  std::string s;
  char buf[4096];
  lseek(fd, 0, SEEK_SET);
  for (ssize_t n; (n = read(fd, buf, sizeof(buf))) > 0;) s.append(buf, n);
  close(fd);
  return s;
}

// Only async-signal-safe calls between fork and exec: the suite spawns from
// several threads at once.
[[noreturn]] void exec_child(int in, int out, int err, char* const* argv) {
  dup2(in, 0);
  dup2(out, 1);
  dup2(err, 2);
  execvp(argv[0], argv);
  _exit(127);
}

// Waits for `pid` up to `timeout_s`, killing it after that.
int wait_exit(pid_t pid, int timeout_s) {
  int pfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pfd >= 0) {
    pollfd p{pfd, POLLIN, 0};
    if (poll(&p, 1, timeout_s * 1000) == 0) kill(pid, SIGKILL);
    close(pfd);
  }
  int st = 0;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

std::atomic<int> netns_counter{0};

}  // namespace

std::string RunResult::describe() const {
  return "exit " + std::to_string(status) + "\nstdout: " + out + "\nstderr: " + err;
}

RunResult run_program(const Args& argv, int timeout_s) {
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  // memfds rather than pipes: no reader thread, and CLOEXEC keeps them out
  // of children other threads spawn at the same time.
  int out = memfd_create("xlb-out", MFD_CLOEXEC);
  int err = memfd_create("xlb-err", MFD_CLOEXEC);
  int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
  RunResult r;
  pid_t pid = fork();
  if (pid == 0) exec_child(in, out, err, cargv.data());
  close(in);
  if (pid > 0) r.status = wait_exit(pid, timeout_s);
  r.out = read_all(out);
  r.err = read_all(err);
  return r;
}

// ---------------------------------------------------------------- Netns

Netns::Netns() {
  // The random part: PIDs are reused, and a killed run leaves its namespaces.
  // LAB_PREFIX (as the e2e labs take it) keeps concurrent runs apart.
  const char* prefix = std::getenv("LAB_PREFIX");
  name_ = std::string(prefix && *prefix ? prefix : "xlb") + "cli-" + std::to_string(getpid()) +
          "-" + std::to_string(netns_counter++) + "-" +
          std::to_string(std::random_device{}() % 1000000);
  RunResult r = run_program({"ip", "netns", "add", name_});
  ok_ = r.status == 0;
  if (!ok_) error_ = "ip netns add " + name_ + ": " + r.describe();
}

Netns::~Netns() {
  if (ok_) run_program({"ip", "netns", "del", name_});
}

void Netns::ip(const Args& args) const {
  Args argv{"ip", "-n", name_};
  argv.insert(argv.end(), args.begin(), args.end());
  RunResult r = run_program(argv);
  ASSERT_EQ(r.status, 0) << "ip -n " << name_ << " ...: " << r.describe();
}

void Netns::add_veth(const std::string& a, const std::string& b) const {
  ip({"link", "add", a, "type", "veth", "peer", "name", b});
  // No link-local addresses: their DAD, router and MLD solicitations would
  // reach the attached program at random moments and move its counters.
  ip({"link", "set", a, "addrgenmode", "none"});
  ip({"link", "set", b, "addrgenmode", "none"});
  ip({"link", "set", a, "up"});
  ip({"link", "set", b, "up"});
}

nlohmann::json Netns::link(const std::string& dev) const {
  RunResult r = run_program({"ip", "-n", name_, "-j", "link", "show", "dev", dev});
  EXPECT_EQ(r.status, 0) << r.describe();
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  if (!j.is_array() || j.empty()) return nlohmann::json::object();
  return j[0];
}

// ---------------------------------------------------------------- CliTest

void CliTest::SetUp() {
  if (!running_as_root()) GTEST_SKIP() << "the command tests need root (netns, bpffs, XDP)";
  bpffs_.emplace();
  ASSERT_TRUE(bpffs_->ok()) << bpffs_->error();
  pin_path_ = bpffs_->path() + "/xlb";
  netns_.emplace();
  ASSERT_TRUE(netns_->ok()) << netns_->error();
  netns_->add_veth("xa0", "xa1");
}

void CliTest::TearDown() {
  for (int fd : fds_) close(fd);
  fds_.clear();
}

RunResult CliTest::xlb(const Args& args, int timeout_s) const {
  Args argv{"nsenter", "--net=" + netns_->path(), XLB_BINARY, "--pin-path", pin_path_};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_program(argv, timeout_s);
}

std::string CliTest::xlb_ok(const Args& args) const {
  RunResult r = xlb(args);
  std::string cmd;
  for (const auto& a : args) cmd += " " + a;
  EXPECT_EQ(r.status, 0) << "xlb" << cmd << ": " << r.describe();
  return r.out;
}

nlohmann::json CliTest::xlb_json(const Args& args) const {
  Args j{"-j"};
  j.insert(j.end(), args.begin(), args.end());
  std::string out = xlb_ok(j);
  auto parsed = nlohmann::json::parse(out, nullptr, false);
  EXPECT_FALSE(parsed.is_discarded()) << "not JSON: " << out;
  return parsed;
}

std::string CliTest::state_dump() const {
  std::string dump;
  for (const Args& a :
       {Args{"list", "ruleset"}, Args{"-j", "backend", "list"}, Args{"-j", "service", "list"}}) {
    RunResult r = xlb(a);
    dump += "== " + std::to_string(r.status) + "\n" + r.out;
  }
  return dump;
}

void CliTest::attach(const std::string& dev) {
  // Small capacities: only the first attach uses them, and they keep the
  // maps (and the test) small.
  RunResult r = xlb({"interface", "attach", dev, "mode", "native", "services", "16", "backends",
                     "512", "flows", "4096"});
  ASSERT_EQ(r.status, 0) << r.describe();
}

int CliTest::ifindex(const std::string& dev) const {
  auto l = netns_->link(dev);
  return l.contains("ifindex") ? l["ifindex"].get<int>() : -1;
}

MacAddr CliTest::link_mac(const std::string& dev) const {
  auto l = netns_->link(dev);
  auto m = MacAddr::parse(l.value("address", ""));
  EXPECT_TRUE(m.has_value()) << l.dump();
  return m.value_or(MacAddr{});
}

int CliTest::attached_prog_fd(const std::string& dev) const {
  std::string pin = pin_path_ + "/link_" + std::to_string(ifindex(dev));
  int link = bpf_obj_get(pin.c_str());
  if (link < 0) return -1;
  bpf_link_info info{};
  uint32_t len = sizeof(info);
  int err = bpf_obj_get_info_by_fd(link, &info, &len);
  close(link);
  if (err) return -1;
  int fd = bpf_prog_get_fd_by_id(info.prog_id);
  if (fd >= 0) fds_.push_back(fd);
  return fd;
}

TestRunOutput CliTest::run_frame(int prog_fd, const Bytes& frame) const {
  auto r = test_run(prog_fd, frame);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? *r : TestRunOutput{};
}

Bytes tcp_frame(const std::string& client, uint16_t sport, const std::string& vip, uint16_t dport,
                uint8_t flags) {
  PacketSpec p;
  p.ip.src = *IpAddr::parse(client);
  p.ip.dst = *IpAddr::parse(vip);
  p.ip.proto = kProtoTcp;
  p.l4.sport = sport;
  p.l4.dport = dport;
  p.l4.tcp_flags = flags;
  return frame(p);
}

}  // namespace xlb::test
