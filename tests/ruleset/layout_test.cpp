// Pins of a newer layout than this xlb's are refused, by readers and
// writers alike (`flush ruleset` too, which otherwise discards what it
// cannot read), with what to do; nothing is changed.
#include <bpf/bpf.h>
#include <gtest/gtest.h>

#include "ruleset_fixture.hpp"
#include "state/layout.hpp"
#include "state/state.hpp"

namespace xlb::test {
namespace {

class Layout : public PinnedTest {};

TEST_F(Layout, NewerPinsAreRefused) {
  apply("service add web tcp 192.0.2.10:80\n");
  auto layout = pinned_layout(pin_path());
  ASSERT_TRUE(layout.ok());
  EXPECT_EQ(*layout, uint32_t{XLB_ABI_VERSION});
  // Make the stored model say layout XLB_ABI_VERSION + 1.
  auto st = State::open(pin_path());
  ASSERT_TRUE(st.ok());
  uint32_t zero = 0;
  xlb_ctl ctl{};
  ASSERT_EQ(bpf_map_lookup_elem(st->maps().ctl(), &zero, &ctl), 0);
  xlb_store_key key{ctl.active_bank, 0};
  xlb_store_chunk chunk{};
  ASSERT_EQ(bpf_map_lookup_elem(st->maps().store(), &key, &chunk), 0);
  ASSERT_EQ(chunk.data[5], XLB_ABI_VERSION);  // {"abi": N, ...}: a4 63 'a' 'b' 'i' N
  chunk.data[5] = XLB_ABI_VERSION + 1;
  ASSERT_EQ(bpf_map_update_elem(st->maps().store(), &key, &chunk, BPF_ANY), 0);
  const std::string want = "are layout " + std::to_string(XLB_ABI_VERSION + 1) +
                           ", this xlb knows up to " + std::to_string(XLB_ABI_VERSION) +
                           "; upgrade xlb";
  for (std::vector<std::string> args : {std::vector<std::string>{"list", "ruleset"},
                                        {"flush", "ruleset"},
                                        {"service", "del", "web"},
                                        {"interface", "list"}}) {
    RunResult r = xlb(args);
    EXPECT_EQ(r.status, 1) << args[0];
    EXPECT_NE(r.err.find(want), std::string::npos) << args[0] << ": " << r.err;
  }
  chunk.data[5] = XLB_ABI_VERSION;
  ASSERT_EQ(bpf_map_update_elem(st->maps().store(), &key, &chunk, BPF_ANY), 0);
  EXPECT_NE(list_ruleset().find("service add web"), std::string::npos);  // unchanged
}

}  // namespace
}  // namespace xlb::test
