// An attached interface switching between the balancer and xlb's entry
// program (issue 17, stages.hpp) through its real XDP link: the test moves
// into a network namespace of its own and attaches the real balancer to
// that namespace's lo (generic mode) through a pinned bpf_link, as
// `interface attach` does. A commit that brings the first filter rule must
// switch the link to the entry program, and the commit that removes the
// last one back to the balancer: bpf_link_update of the same link, never a
// detach. Another balancer program (a capture's, an upgrade's) goes into
// the interface's stage slot by fd (swap_balancer).
#include <bpf/bpf.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <sched.h>
#include <unistd.h>

#include <string>

#include "datapath_fixture.hpp"
#include "model/filter.hpp"
#include "state/stages.hpp"

namespace xlb::test {
namespace {

struct LinkView {
  uint32_t id = 0, prog_id = 0;
};

std::string prog_name(uint32_t id) {
  int fd = bpf_prog_get_fd_by_id(id);
  bpf_prog_info info{};
  uint32_t len = sizeof(info);
  const bool ok = fd >= 0 && bpf_obj_get_info_by_fd(fd, &info, &len) == 0;
  if (fd >= 0) close(fd);
  return ok ? info.name : "";
}

uint32_t prog_id(int fd) {
  bpf_prog_info info{};
  uint32_t len = sizeof(info);
  return bpf_obj_get_info_by_fd(fd, &info, &len) == 0 ? info.id : 0;
}

// A balancer of another kind: XDP_TX for every packet (r0 = 3; exit),
// loaded as libbpf loads SEC("xdp") (the prog array takes only programs
// like its owner).
int load_tx_program() {
  LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_XDP);
  const bpf_insn insns[] = {
      {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_TX},
      {.code = BPF_JMP | BPF_EXIT},
  };
  return bpf_prog_load(BPF_PROG_TYPE_XDP, "tx_all", "GPL", insns, 2, &opts);
}

Bytes packet(const char* src) {
  return frame(make_packet(src, "192.0.2.99", kProtoUdp, 40000, 53, kTcpSyn));
}

FilterRule drop(const char* src) {
  FilterRule r;
  r.src = IpPrefix::parse(src);
  return r;
}

class StageSwitchTest : public DatapathTest {
 protected:
  void SetUp() override {
    DatapathTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    home_ = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    ASSERT_GE(home_, 0);
    ASSERT_EQ(unshare(CLONE_NEWNET), 0) << "unshare(CLONE_NEWNET)";
    ifindex_ = static_cast<int>(if_nametoindex("lo"));
    ASSERT_GT(ifindex_, 0);
    // As `interface attach` does: the stages arranged, then the link.
    auto front = arrange_stages({pin_path(), ifindex_, prog_fd(), false, std::nullopt});
    ASSERT_TRUE(front.ok()) << front.error().message;
    LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = XDP_FLAGS_SKB_MODE);
    int link = bpf_link_create(front->fd(), ifindex_, BPF_XDP, &opts);
    ASSERT_GE(link, 0) << "bpf_link_create on lo";
    ASSERT_EQ(bpf_obj_pin(link, link_pin().c_str()), 0);
    close(link);
  }
  void TearDown() override {
    if (ifindex_ > 0) {
      release_stages(pin_path(), ifindex_);
      unlink(link_pin().c_str());
    }
    if (home_ >= 0) {
      EXPECT_EQ(setns(home_, CLONE_NEWNET), 0);  // the namespace (and lo's link) go away
      close(home_);
    }
  }
  std::string link_pin() const { return pin_path() + "/link_" + std::to_string(ifindex_); }
  LinkView link() const {
    int fd = bpf_obj_get(link_pin().c_str());
    bpf_link_info info{};
    uint32_t len = sizeof(info);
    LinkView v;
    if (fd >= 0 && bpf_obj_get_info_by_fd(fd, &info, &len) == 0) v = {info.id, info.prog_id};
    if (fd >= 0) close(fd);
    return v;
  }
  // A packet through what the interface's link runs now.
  uint32_t action_on_link(const Bytes& f) const {
    int fd = bpf_prog_get_fd_by_id(link().prog_id);
    auto r = test_run(fd, f);
    if (fd >= 0) close(fd);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? r->action : XDP_ABORTED;
  }

  int home_ = -1;
  int ifindex_ = 0;
};

TEST_F(StageSwitchTest, FirstRuleSwitchesTheLinkToTheEntryAndTheLastBack) {
  const LinkView before = link();
  ASSERT_NE(before.id, 0u);
  EXPECT_EQ(before.prog_id, prog_id(prog_fd()));  // no rule: the balancer itself
  configure([](Config& c) -> Status { return filter_add(c.filters, drop("203.0.113.0/24")); });
  EXPECT_EQ(link().id, before.id);  // the same link: never detached
  EXPECT_EQ(prog_name(link().prog_id), "xlb_entry");
  EXPECT_EQ(action_on_link(packet("203.0.113.9")), XDP_DROP);
  EXPECT_EQ(action_on_link(packet("198.51.100.9")), XDP_PASS);  // on into the balancer
  configure([](Config& c) -> Status { return filter_del(c.filters, drop("203.0.113.0/24"), 0); });
  EXPECT_EQ(link().id, before.id);
  EXPECT_EQ(link().prog_id, prog_id(prog_fd()));
  EXPECT_EQ(action_on_link(packet("203.0.113.9")), XDP_PASS);
}

TEST_F(StageSwitchTest, AnotherBalancerGoesIntoTheSlotByFd) {
  int tx = load_tx_program();
  ASSERT_GE(tx, 0) << "load the XDP_TX program";
  // Running the balancer directly: the link is switched to the new one.
  Status s = swap_balancer(pin_path(), ifindex_, tx);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(link().prog_id, prog_id(tx));
  EXPECT_EQ(action_on_link(packet("198.51.100.9")), XDP_TX);
  // Running the entry: the entry finds the new balancer behind the filter.
  configure([](Config& c) -> Status { return filter_add(c.filters, drop("203.0.113.0/24")); });
  EXPECT_EQ(prog_name(link().prog_id), "xlb_entry");
  EXPECT_EQ(action_on_link(packet("198.51.100.9")), XDP_TX);
  EXPECT_EQ(action_on_link(packet("203.0.113.9")), XDP_DROP);
  const uint32_t entry = link().prog_id;
  ASSERT_TRUE(swap_balancer(pin_path(), ifindex_, prog_fd()).ok());
  EXPECT_EQ(link().prog_id, entry);  // no relink needed
  EXPECT_EQ(action_on_link(packet("198.51.100.9")), XDP_PASS);
  close(tx);
}

}  // namespace
}  // namespace xlb::test
