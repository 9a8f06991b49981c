// BPF_PROG_TEST_RUN for an XDP program: one frame in, the verdict and the
// frame as the program left it out.
#pragma once

#include <cstdint>
#include <vector>

#include "result.hpp"

namespace xlb::test {

struct TestRunOutput {
  uint32_t action = 0;  // XDP_PASS, XDP_TX, ...
  std::vector<uint8_t> frame;
};

Result<TestRunOutput> test_run(int prog_fd, const std::vector<uint8_t>& frame);
// The same, as if the frame arrived on `ingress_ifindex` (a device of the
// current network namespace); the plain form uses the loopback device.
Result<TestRunOutput> test_run(int prog_fd, const std::vector<uint8_t>& frame, int ingress_ifindex);

}  // namespace xlb::test
