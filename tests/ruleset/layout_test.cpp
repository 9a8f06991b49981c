// Pins of a newer layout than this xlb's are refused, by readers and
// writers alike (`flush ruleset` too, which otherwise discards what it
// cannot read), with what to do; nothing is changed. Pins of layout 5 (the
// flow table with per-CPU LRU lists) are upgraded in place by the first
// command, their flow entries carried into a flow table of one LRU list.
// Pins of layout 6 (no persistence table) are upgraded the same way, their
// flows kept; pins of layout 7 (Maglev tables not mmapable) too, with their
// persistence entries.
#include <bpf/bpf.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <map>
#include <string>

#include "ruleset_fixture.hpp"
#include "state/layout.hpp"
#include "state/state.hpp"

namespace xlb::test {
namespace {

class Layout : public PinnedTest {
 protected:
  // Sets the layout the stored model says (its first chunk's abi byte).
  void set_stored_layout(uint8_t layout) const {
    auto st = State::open(pin_path());
    ASSERT_TRUE(st.ok());
    uint32_t zero = 0;
    xlb_ctl ctl{};
    ASSERT_EQ(bpf_map_lookup_elem(st->maps().ctl(), &zero, &ctl), 0);
    xlb_store_key key{ctl.active_bank, 0};
    xlb_store_chunk chunk{};
    ASSERT_EQ(bpf_map_lookup_elem(st->maps().store(), &key, &chunk), 0);
    chunk.data[5] = layout;  // {"abi": N, ...}: a4 63 'a' 'b' 'i' N
    ASSERT_EQ(bpf_map_update_elem(st->maps().store(), &key, &chunk, BPF_ANY), 0);
  }
};

// The kernel's description of a pinned map.
bpf_map_info pinned_info(const std::string& path) {
  bpf_map_info info{};
  uint32_t len = sizeof(info);
  int fd = bpf_obj_get(path.c_str());
  EXPECT_GE(fd, 0) << path;
  if (fd >= 0) EXPECT_EQ(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
  if (fd >= 0) close(fd);
  return info;
}

xlb_flow_key flow_key(uint16_t sport) {
  xlb_flow_key k{};
  k.family = XLB_AF_INET;
  k.proto = 6;
  k.src.w[0] = 0x0100000a;
  k.dst.w[0] = 0x0a0200c0;
  k.sport = sport;
  k.dport = 80;
  return k;
}

// Replaces the pinned xlb_flows by a flow table as layout 5 made it (per-CPU
// LRU lists) holding `n` entries.
void pin_layout5_flows(const std::string& pin_path, int n) {
  const std::string path = pin_path + "/xlb_flows";
  const uint32_t max = pinned_info(path).max_entries;
  LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_NO_COMMON_LRU);
  int fd = bpf_map_create(BPF_MAP_TYPE_LRU_HASH, "xlb_flows", sizeof(xlb_flow_key),
                          sizeof(xlb_flow), max, &opts);
  ASSERT_GE(fd, 0);
  for (int i = 0; i < n; i++) {
    xlb_flow_key k = flow_key(static_cast<uint16_t>(1000 + i));
    xlb_flow f{};
    f.backend = static_cast<uint32_t>(i);
    f.cookie = 7;
    f.last_seen = 42;
    ASSERT_EQ(bpf_map_update_elem(fd, &k, &f, BPF_NOEXIST), 0);
  }
  ASSERT_EQ(unlink(path.c_str()), 0);
  ASSERT_EQ(bpf_obj_pin(fd, path.c_str()), 0);
  close(fd);
}

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

TEST_F(Layout, PerCpuLruFlowsAreUpgraded) {
  constexpr uint32_t kPerCpuLru = 5;  // the last layout with per-CPU LRU lists
  apply("service add web tcp 192.0.2.10:80\n");
  pin_layout5_flows(pin_path(), 30);
  set_stored_layout(kPerCpuLru);
  auto layout = pinned_layout(pin_path());
  ASSERT_TRUE(layout.ok());
  EXPECT_EQ(*layout, kPerCpuLru);
  RunResult r = xlb({"service", "add", "api", "tcp", "192.0.2.11:80"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE((r.out + r.err).find("from layout 5 to " + std::to_string(XLB_ABI_VERSION)),
            std::string::npos)
      << r.out << r.err;
  layout = pinned_layout(pin_path());
  ASSERT_TRUE(layout.ok());
  EXPECT_EQ(*layout, uint32_t{XLB_ABI_VERSION});
  const std::string path = pin_path() + "/xlb_flows";
  EXPECT_EQ(pinned_info(path).map_flags & BPF_F_NO_COMMON_LRU, 0u);
  int fd = bpf_obj_get(path.c_str());
  ASSERT_GE(fd, 0);
  for (int i = 0; i < 30; i++) {
    xlb_flow_key k = flow_key(static_cast<uint16_t>(1000 + i));
    xlb_flow f{};
    EXPECT_EQ(bpf_map_lookup_elem(fd, &k, &f), 0) << "flow " << i;
    EXPECT_EQ(f.backend, static_cast<uint32_t>(i));
    EXPECT_EQ(f.cookie, 7u);
    EXPECT_EQ(f.last_seen, 42u);
  }
  close(fd);
  EXPECT_NE(list_ruleset().find("service add api"), std::string::npos);
}

// Pins that were never committed say their layout by their maps: a flow
// table with per-CPU LRU lists is layout 5.
TEST_F(Layout, UncommittedPerCpuLruFlowsAreLayout5) {
  pin_layout5_flows(pin_path(), 1);
  auto layout = pinned_layout(pin_path());
  ASSERT_TRUE(layout.ok());
  // The fixture commits nothing before apply(): the maps decide.
  EXPECT_EQ(*layout, 5u);
}

// Writes `n` flow entries into the pinned xlb_flows.
void add_flows(const std::string& pin_path, int n) {
  int fd = bpf_obj_get((pin_path + "/xlb_flows").c_str());
  ASSERT_GE(fd, 0);
  for (int i = 0; i < n; i++) {
    xlb_flow_key k = flow_key(static_cast<uint16_t>(2000 + i));
    xlb_flow f{};
    f.backend = static_cast<uint32_t>(i);
    f.cookie = 9;
    f.last_seen = 77;
    EXPECT_EQ(bpf_map_update_elem(fd, &k, &f, BPF_NOEXIST), 0);
  }
  close(fd);
}

// Layout 6 had no persistence table (service persist D, layout 7): the
// first command makes one, and the flows stay.
TEST_F(Layout, PinsWithoutPersistenceAreUpgradedWithTheirFlows) {
  constexpr uint32_t kNoPersist = 6;
  apply("service add web tcp 192.0.2.10:80\n");
  add_flows(pin_path(), 25);
  set_stored_layout(kNoPersist);
  ASSERT_EQ(unlink((pin_path() + "/xlb_persist").c_str()), 0);
  auto layout = pinned_layout(pin_path());
  ASSERT_TRUE(layout.ok());
  EXPECT_EQ(*layout, kNoPersist);
  RunResult r = xlb({"service", "set", "web", "persist", "5m"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE((r.out + r.err).find("from layout 6 to " + std::to_string(XLB_ABI_VERSION)),
            std::string::npos)
      << r.out << r.err;
  layout = pinned_layout(pin_path());
  ASSERT_TRUE(layout.ok());
  EXPECT_EQ(*layout, uint32_t{XLB_ABI_VERSION});
  const bpf_map_info persist = pinned_info(pin_path() + "/xlb_persist");
  EXPECT_EQ(persist.key_size, sizeof(xlb_persist_key));
  EXPECT_EQ(persist.value_size, sizeof(xlb_persist));
  EXPECT_EQ(persist.max_entries,
            (Capacities{.flows = pinned_info(pin_path() + "/xlb_flows").max_entries}.persist()));
  int fd = bpf_obj_get((pin_path() + "/xlb_flows").c_str());
  ASSERT_GE(fd, 0);
  for (int i = 0; i < 25; i++) {
    xlb_flow_key k = flow_key(static_cast<uint16_t>(2000 + i));
    xlb_flow f{};
    EXPECT_EQ(bpf_map_lookup_elem(fd, &k, &f), 0) << "flow " << i;
    EXPECT_EQ(f.backend, static_cast<uint32_t>(i));
    EXPECT_EQ(f.cookie, 9u);
    EXPECT_EQ(f.last_seen, 77u);
  }
  close(fd);
  EXPECT_NE(list_ruleset().find("service add web tcp 192.0.2.10:80 sched mh persist 5m"),
            std::string::npos);
}

// Uncommitted pins without a persistence table are layout 6.
TEST_F(Layout, UncommittedPinsWithoutPersistenceAreLayout6) {
  ASSERT_EQ(unlink((pin_path() + "/xlb_persist").c_str()), 0);
  auto layout = pinned_layout(pin_path());
  ASSERT_TRUE(layout.ok());
  EXPECT_EQ(*layout, 6u);
}

// The share of each backend id in a Maglev table, read slot by slot.
std::map<uint32_t, int> table_shares(int fd, uint32_t size) {
  std::map<uint32_t, int> out;
  for (uint32_t slot = 0; slot < size; slot++) {
    uint32_t id = XLB_NO_BACKEND;
    EXPECT_EQ(bpf_map_lookup_elem(fd, &slot, &id), 0) << slot;
    out[id]++;
  }
  return out;
}

// Layout 8: the Maglev tables are mmapable (filled through a mapping). The
// BTF of the pinned xlb_rings says so, every table a commit installs is,
// and what the kernel reads slot by slot is the whole table: two equal
// backends, about half the slots each.
TEST_F(Layout, MaglevTablesAreMmapable) {
  const int64_t want = BPF_F_INNER_MAP | BPF_F_MMAPABLE;
  EXPECT_EQ(ring_template_flags(pin_path()), want);
  apply(
      "service add web tcp 192.0.2.10:80 ring 1021\n"
      "backend add web 10.0.0.1 mac 02:be:00:00:00:01\n"
      "backend add web 10.0.0.2 mac 02:be:00:00:00:02\n");
  int rings = bpf_obj_get((pin_path() + "/xlb_rings").c_str());
  ASSERT_GE(rings, 0);
  int tables = 0;
  for (uint32_t slot = 0; slot < pinned_info(pin_path() + "/xlb_rings").max_entries; slot++) {
    uint32_t id = 0;
    if (bpf_map_lookup_elem(rings, &slot, &id) != 0) continue;
    int fd = bpf_map_get_fd_by_id(id);
    ASSERT_GE(fd, 0);
    bpf_map_info info{};
    uint32_t len = sizeof(info);
    ASSERT_EQ(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
    EXPECT_EQ(info.map_flags, want);
    ASSERT_EQ(info.max_entries, 1021u);
    auto shares = table_shares(fd, info.max_entries);
    EXPECT_EQ(shares.size(), 2u);
    for (const auto& [backend, n] : shares) EXPECT_NEAR(n, 510, 20) << "backend id " << backend;
    close(fd);
    tables++;
  }
  close(rings);
  EXPECT_EQ(tables, 1);
}

// Writes `n` persistence entries (client i -> backend i) into the pins.
void add_persistence(const std::string& pin_path, int n) {
  int fd = bpf_obj_get((pin_path + "/xlb_persist").c_str());
  ASSERT_GE(fd, 0);
  for (int i = 0; i < n; i++) {
    xlb_persist_key k{};
    k.svc_id = 1;
    k.family = XLB_AF_INET;
    k.client.w[0] = 0x0a000000u + static_cast<uint32_t>(i);
    xlb_persist p{static_cast<uint32_t>(i), 5, 66, 0};
    EXPECT_EQ(bpf_map_update_elem(fd, &k, &p, BPF_NOEXIST), 0);
  }
  close(fd);
}

// Layout 7's tables were not mmapable: the first command rebuilds them and
// carries the flows and the persistence entries.
TEST_F(Layout, Layout7PinsAreUpgradedWithFlowsAndPersistence) {
  apply("service add web tcp 192.0.2.10:80 persist 5m\n");
  add_flows(pin_path(), 10);
  add_persistence(pin_path(), 12);
  set_stored_layout(7);
  RunResult r = xlb({"service", "set", "web", "persist", "5m"});
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string said = r.out + r.err;
  EXPECT_NE(said.find("from layout 7 to " + std::to_string(XLB_ABI_VERSION)), std::string::npos)
      << said;
  EXPECT_NE(said.find("12 persistence entries carried"), std::string::npos) << said;
  auto layout = pinned_layout(pin_path());
  ASSERT_TRUE(layout.ok());
  EXPECT_EQ(*layout, uint32_t{XLB_ABI_VERSION});
  int fd = bpf_obj_get((pin_path() + "/xlb_persist").c_str());
  ASSERT_GE(fd, 0);
  for (int i = 0; i < 12; i++) {
    xlb_persist_key k{};
    k.svc_id = 1;
    k.family = XLB_AF_INET;
    k.client.w[0] = 0x0a000000u + static_cast<uint32_t>(i);
    xlb_persist p{};
    EXPECT_EQ(bpf_map_lookup_elem(fd, &k, &p), 0) << "client " << i;
    EXPECT_EQ(p.backend, static_cast<uint32_t>(i));
    EXPECT_EQ(p.last_seen, 66u);
  }
  close(fd);
  int flows = bpf_obj_get((pin_path() + "/xlb_flows").c_str());
  ASSERT_GE(flows, 0);
  xlb_flow_key k = flow_key(2009);
  xlb_flow f{};
  EXPECT_EQ(bpf_map_lookup_elem(flows, &k, &f), 0);
  close(flows);
}

}  // namespace
}  // namespace xlb::test
