// The fixture of the datapath tests: a private bpffs, the real embedded
// program loaded with its maps pinned there, and core's own API to
// configure it and read it back. Skips when not root.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bpffs.hpp"
#include "model/model.hpp"
#include "model/ops.hpp"
#include "packet.hpp"
#include "state/flows.hpp"
#include "state/loader.hpp"
#include "state/state.hpp"
#include "state/stats.hpp"
#include "testrun.hpp"

namespace xlb::test {

IpAddr ip(const char* text);  // aborts the test binary on a typo
MacAddr mac(const char* text);
// The i-th of many distinct clients: 100.64.0.0/10 addresses.
IpAddr client_addr(uint32_t i, bool v6 = false);
// 02:be:00:00:HI:LO: a backend's MAC, distinct for every i.
MacAddr backend_mac(uint32_t i);

// A TCP or UDP packet from src:sport to dst:dport.
PacketSpec make_packet(const char* src, const char* dst, uint8_t proto, uint16_t sport,
                       uint16_t dport, uint8_t tcp_flags = kTcpSyn);
ServiceRef by_name(const std::string& name);
Service make_service(const std::string& name, Proto proto, const char* vip, uint16_t port);
Backend make_backend(const char* addr, const MacAddr& mac, uint32_t weight = kDefaultWeight);

class DatapathTest : public ::testing::Test {
 protected:
  static const MacAddr kIfaceMac;  // 02:00:00:00:00:01, given to the loader

  void SetUp() override;
  // The maps' sizes SetUp loads the program with.
  virtual Capacities capacities() const {
    return Capacities{.services = 16, .backends = 512, .flows = 16384};
  }

  // Commits an edit through core's transaction; a failure fails the test.
  void configure(const std::function<Status(Config&)>& edit);
  // The same, for an edit the test expects may fail.
  Status state_update(const std::function<Status(Config&)>& edit);
  Config config() const;
  StatsSnapshot stats() const;
  std::vector<Flow> flows() const;

  // Runs the frame through the front program (set_front), else the balancer.
  TestRunOutput run(const Bytes& frame) const;
  // Runs a frame the program must send out with XDP_TX, checks that only
  // the MACs changed, and returns the address of the backend that got it.
  IpAddr run_to_backend(const Bytes& frame) const;
  // Client i's TCP packet to 192.0.2.10:80: source client_addr(i), port 1024 + i.
  static Bytes client_packet(int i, uint8_t tcp_flags);
  // One client_packet each from clients [first, first + count), run to
  // their backends; where each went.
  std::vector<IpAddr> send_all(int first, int count, uint8_t tcp_flags) const;
  static std::map<IpAddr, int> histogram(const std::vector<IpAddr>& to);
  // The backend of the live configuration whose MAC is `m`, if any.
  std::optional<Backend> backend_with_mac(const MacAddr& m) const;
  // The live backend with address `a` (its id, cookie...); fails the test if none.
  Backend backend(const IpAddr& a) const;
  // The live service named `name`; fails the test if none.
  Service service(const std::string& name) const;

  const Maps& maps() const { return state_->maps(); }
  int prog_fd() const { return prog_->fd(); }
  // What run() runs instead of the balancer: the program an interface runs
  // in front of its stages (stages.hpp); -1: the balancer again. Not owned.
  void set_front(int fd) { front_fd_ = fd; }
  const std::string& pin_path() const { return pin_path_; }

 private:
  std::optional<PrivateBpffs> bpffs_;
  std::optional<LoadedProgram> prog_;
  std::optional<State> state_;
  std::string pin_path_;
  int front_fd_ = -1;
  mutable std::optional<Config> config_;  // the live one, until configure()
};

}  // namespace xlb::test
