// BPF_PROG_TEST_RUN for an XDP program: one frame in, the verdict and the
// frame as the program left it out.
#pragma once

#include <cstdint>
#include <vector>

#include "base/result.hpp"

namespace xlb::test {

struct TestRunOutput {
  uint32_t action = 0;  // XDP_PASS, XDP_TX, ...
  std::vector<uint8_t> frame;
};

// ingress_ifindex: the device the frame arrives on, in the caller's network
// namespace (0: the namespace's loopback, the kernel's default).
Result<TestRunOutput> test_run(int prog_fd, const std::vector<uint8_t>& frame,
                               uint32_t ingress_ifindex = 0);

// The same for a tc program: the skb's ingress_ifindex (0: made on the
// host) and the program's return code (TC_ACT_*) as the action.
Result<TestRunOutput> test_run_skb(int prog_fd, const std::vector<uint8_t>& frame,
                                   uint32_t ingress_ifindex);

}  // namespace xlb::test
