// The fixture of the xlb-decap packet tests: a private bpffs, the real
// embedded decap program loaded through core (load_decap), this "host"'s
// addresses put in its map through core, and BPF_PROG_TEST_RUN.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <string>

#include "bpffs.hpp"
#include "decap/decap.hpp"
#include "packet.hpp"
#include "testrun.hpp"
#include "tunnel_builder.hpp"

namespace xlb::test {

using Counters = std::array<uint64_t, XLB_DC_COUNT>;

IpAddr addr(const char* text);  // aborts on a typo

// The lab's roles: the load balancer (outer source), this backend (outer
// destination, in the address map), a client and a VIP (the inner packet).
struct Hosts {
  IpAddr lb, backend, other, client, vip;
};
Hosts hosts(bool v6);

class DecapTest : public ::testing::Test {
 protected:
  void SetUp() override;

  TestRunOutput run(const Bytes& frame) const;
  Counters counters() const;
  // Runs the frame and checks it was counted once, under `counter`.
  TestRunOutput run_counted(const Bytes& frame, int counter) const;
  // The frame must come back untouched with XDP_PASS, counted as `counter`.
  void expect_untouched(const Bytes& frame, int counter) const;
  // The frame must be dropped, counted as `counter`.
  void expect_dropped(const Bytes& frame, int counter) const;

  // A TCP SYN or a UDP datagram from the client to the VIP.
  static Bytes inner_packet(bool v6, bool udp = false);
  // A tunnel from the lb to this backend for `method`.
  static TunnelSpec tunnel(Method method, bool outer_v6);
  static Bytes tunnel_frame(const TunnelSpec& t, const Bytes& inner, const EthSpec& eth = {});

  std::unique_ptr<PrivateBpffs> bpffs_;
  std::string dir_;
  LoadedProgram prog_;
};

}  // namespace xlb::test
