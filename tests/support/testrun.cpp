#include "testrun.hpp"

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace xlb::test {

Result<TestRunOutput> test_run(int prog_fd, const std::vector<uint8_t>& frame,
                               uint32_t ingress_ifindex) {
  // Room for a program that grows the frame (encapsulation).
  std::vector<uint8_t> out(frame.size() + 256);
  LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame.data(), .data_out = out.data(),
              .data_size_in = static_cast<uint32_t>(frame.size()),
              .data_size_out = static_cast<uint32_t>(out.size()), .repeat = 1);
  xdp_md ctx{};
  if (ingress_ifindex) {
    ctx.data_end = static_cast<uint32_t>(frame.size());
    ctx.ingress_ifindex = ingress_ifindex;
    opts.ctx_in = &ctx;
    opts.ctx_size_in = sizeof(ctx);
  }
  if (bpf_prog_test_run_opts(prog_fd, &opts) != 0)
    return runtime_error(std::string("BPF_PROG_TEST_RUN: ") + std::strerror(errno));
  out.resize(opts.data_size_out);
  return TestRunOutput{opts.retval, std::move(out)};
}

Result<TestRunOutput> test_run_skb(int prog_fd, const std::vector<uint8_t>& frame,
                                   uint32_t ingress_ifindex) {
  std::vector<uint8_t> out(frame.size());
  __sk_buff ctx{};
  ctx.ingress_ifindex = ingress_ifindex;
  LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame.data(), .data_out = out.data(),
              .data_size_in = static_cast<uint32_t>(frame.size()),
              .data_size_out = static_cast<uint32_t>(out.size()), .ctx_in = &ctx,
              .ctx_size_in = sizeof(ctx), .repeat = 1);
  if (bpf_prog_test_run_opts(prog_fd, &opts) != 0)
    return runtime_error(std::string("BPF_PROG_TEST_RUN: ") + std::strerror(errno));
  out.resize(opts.data_size_out);
  return TestRunOutput{opts.retval, std::move(out)};
}

}  // namespace xlb::test
