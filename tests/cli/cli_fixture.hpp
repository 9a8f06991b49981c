// The fixture of the command tests: a network namespace of the test's own
// with veth pairs in it, a private bpffs, and the real xlb binary run in that
// namespace as `nsenter --net=/var/run/netns/NS xlb --pin-path DIR ARGS...`.
// Everything is torn down by destructors, whichever way a test ends.
#pragma once

#include <gtest/gtest.h>
#include <linux/bpf.h>  // XDP_TX, XDP_PASS

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/addr.hpp"
#include "bpffs.hpp"
#include "packet.hpp"
#include "testrun.hpp"

namespace xlb::test {

using Args = std::vector<std::string>;

struct RunResult {
  int status = -1;  // the exit code; 128 + N when killed by signal N
  std::string out, err;
  std::string describe() const;  // for failure messages
};

// Runs argv[0] (searched in PATH) with `argv`, stdin from /dev/null, and
// captures both outputs. No shell: test data is never interpreted. Killed
// after `timeout_s` seconds.
RunResult run_program(const Args& argv, int timeout_s = 30);

// A uniquely named network namespace, deleted on destruction.
class Netns {
 public:
  Netns();
  ~Netns();
  Netns(const Netns&) = delete;
  Netns& operator=(const Netns&) = delete;

  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }
  const std::string& name() const { return name_; }
  std::string path() const { return "/var/run/netns/" + name_; }
  // `ip -n NS ARGS...`; a failure fails the test.
  void ip(const Args& args) const;
  // A veth pair a <-> b inside the namespace, both up.
  void add_veth(const std::string& a, const std::string& b) const;
  // `ip -j link show dev DEV`, parsed (the first object).
  nlohmann::json link(const std::string& dev) const;

 private:
  std::string name_;
  std::string error_;
  bool ok_ = false;
};

class CliTest : public ::testing::Test {
 protected:
  // Skips unless root; makes the namespace with veth xa0 <-> xa1 and the
  // bpffs. Nothing is attached yet.
  void SetUp() override;
  void TearDown() override;

  // The real binary with --pin-path, run in the namespace.
  RunResult xlb(const Args& args, int timeout_s = 30) const;
  // xlb that must succeed (exit 0); its stdout.
  std::string xlb_ok(const Args& args) const;
  // `xlb -j ARGS`, which must succeed, parsed.
  nlohmann::json xlb_json(const Args& args) const;
  // The whole state as text: list ruleset, -j backend list, -j service list.
  std::string state_dump() const;

  // Attaches to `dev` (native) and checks that it worked.
  void attach(const std::string& dev = "xa0");
  // The attached program of `dev`, from the link pinned for it: its fd
  // (closed by the fixture) or -1.
  int attached_prog_fd(const std::string& dev) const;
  int ifindex(const std::string& dev) const;
  MacAddr link_mac(const std::string& dev) const;

  // Runs a frame through a program (BPF_PROG_TEST_RUN).
  TestRunOutput run_frame(int prog_fd, const Bytes& frame) const;

  const std::string& pin_path() const { return pin_path_; }
  Netns& netns() { return *netns_; }

 private:
  std::optional<PrivateBpffs> bpffs_;
  std::optional<Netns> netns_;
  std::string pin_path_;
  mutable std::vector<int> fds_;  // program fds handed out, closed in TearDown
};

// Frames of a TCP packet from client:sport to vip:dport.
Bytes tcp_frame(const std::string& client, uint16_t sport, const std::string& vip, uint16_t dport,
                uint8_t flags = kTcpSyn);

}  // namespace xlb::test
