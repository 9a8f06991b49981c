// Pins of a newer layout than this xlb's are refused, by readers and
// writers alike (`flush ruleset` too, which otherwise discards what it
// cannot read), with what to do; nothing is changed. Pins of layout 5 (the
// flow table with per-CPU LRU lists) are upgraded in place by the first
// command, their flow entries carried into a flow table of one LRU list.
// Pins of layout 6 (no persistence table) are upgraded the same way, their
// flows kept. Pins of layout 7 (no prefix VIPs' trie, Maglev tables not
// mmapable) keep their flows and their persistence entries; pins of layout
// 8 (no VIP bitmap) their flows.
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

  // The pins say layout `want` (the stored model's, else the maps').
  void expect_layout(uint32_t want) const {
    auto layout = pinned_layout(pin_path());
    ASSERT_TRUE(layout.ok());
    EXPECT_EQ(*layout, want);
  }

  // Runs `args`, which must upgrade the pins from layout `from` to this
  // xlb's; returns what it printed, for more checks.
  std::string upgrade_by(const std::vector<std::string>& args, uint32_t from) const {
    RunResult r = xlb(args);
    EXPECT_EQ(r.status, 0) << r.err;
    const std::string out = r.out + r.err;
    EXPECT_NE(
        out.find("from layout " + std::to_string(from) + " to " + std::to_string(XLB_ABI_VERSION)),
        std::string::npos)
        << out;
    expect_layout(XLB_ABI_VERSION);
    return out;
  }
};

// The kernel's description of a pinned map.
bpf_map_info pinned_info(const std::string& path) {
  bpf_map_info info{};
  uint32_t len = sizeof(info);
  int fd = bpf_obj_get(path.c_str());
  EXPECT_GE(fd, 0) << path;
  if (fd >= 0) {
    EXPECT_EQ(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
    close(fd);
  }
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

// Flows from sports first.. (n of them), flow i on backend i, with one
// cookie and last_seen: what the tests write and expect carried over.
struct FlowRun {
  uint16_t first;
  int n;
  uint32_t cookie;
  uint32_t last_seen;
};

void expect_flows(const std::string& pin_path, const FlowRun& run) {
  int fd = bpf_obj_get((pin_path + "/xlb_flows").c_str());
  ASSERT_GE(fd, 0);
  for (int i = 0; i < run.n; i++) {
    xlb_flow_key k = flow_key(static_cast<uint16_t>(run.first + i));
    xlb_flow f{};
    EXPECT_EQ(bpf_map_lookup_elem(fd, &k, &f), 0) << "flow " << i;
    EXPECT_EQ(f.backend, static_cast<uint32_t>(i));
    EXPECT_EQ(f.cookie, run.cookie);
    EXPECT_EQ(f.last_seen, run.last_seen);
  }
  close(fd);
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
  expect_layout(uint32_t{XLB_ABI_VERSION});
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
  expect_layout(kPerCpuLru);
  upgrade_by({"service", "add", "api", "tcp", "192.0.2.11:80"}, 5);
  const std::string path = pin_path() + "/xlb_flows";
  EXPECT_EQ(pinned_info(path).map_flags & BPF_F_NO_COMMON_LRU, 0u);
  expect_flows(pin_path(), FlowRun{1000, 30, 7, 42});
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

// Whether the `n` flows of add_flows() are in the pinned xlb_flows, whole.
void expect_carried_flows(const std::string& pin_path, int n) {
  expect_flows(pin_path, FlowRun{2000, n, 9, 77});
}

// Layout 6 had no persistence table (service persist D, layout 7): the
// first command makes one, and the flows stay.
TEST_F(Layout, PinsWithoutPersistenceAreUpgradedWithTheirFlows) {
  constexpr uint32_t kNoPersist = 6;
  apply("service add web tcp 192.0.2.10:80\n");
  add_flows(pin_path(), 25);
  set_stored_layout(kNoPersist);
  ASSERT_EQ(unlink((pin_path() + "/xlb_persist").c_str()), 0);
  expect_layout(kNoPersist);
  upgrade_by({"service", "set", "web", "persist", "5m"}, 6);
  const bpf_map_info persist = pinned_info(pin_path() + "/xlb_persist");
  EXPECT_EQ(persist.key_size, sizeof(xlb_persist_key));
  EXPECT_EQ(persist.value_size, sizeof(xlb_persist));
  EXPECT_EQ(persist.max_entries,
            (Capacities{.flows = pinned_info(pin_path() + "/xlb_flows").max_entries}.persist()));
  expect_carried_flows(pin_path(), 25);
  EXPECT_NE(list_ruleset().find("service add web tcp 192.0.2.10:80 sched mh persist 5m"),
            std::string::npos);
}

// Uncommitted pins without a persistence table are layout 6.
TEST_F(Layout, UncommittedPinsWithoutPersistenceAreLayout6) {
  ASSERT_EQ(unlink((pin_path() + "/xlb_persist").c_str()), 0);
  expect_layout(6u);
}

xlb_persist_key persist_key(uint32_t svc_id, uint8_t last) {
  xlb_persist_key k{};
  k.svc_id = svc_id;
  k.family = XLB_AF_INET;
  k.client = IpAddr::parse("203.0.113." + std::to_string(last))->to_abi();
  return k;
}

// Writes `n` persistence entries of service `svc_id` into the pinned xlb_persist.
void add_persist(const std::string& pin_path, uint32_t svc_id, int n) {
  int fd = bpf_obj_get((pin_path + "/xlb_persist").c_str());
  ASSERT_GE(fd, 0);
  for (int i = 0; i < n; i++) {
    xlb_persist_key k = persist_key(svc_id, static_cast<uint8_t>(i + 1));
    xlb_persist p{};
    p.backend = static_cast<uint32_t>(100 + i);
    p.cookie = 11;
    p.last_seen = 88;
    EXPECT_EQ(bpf_map_update_elem(fd, &k, &p, BPF_NOEXIST), 0);
  }
  close(fd);
}

// Layout 7 had no prefix VIPs (layout 8): the first command makes their
// trie, and both the flows and the persistence entries stay.
TEST_F(Layout, PinsWithoutPrefixVipsAreUpgradedWithFlowsAndPersistence) {
  constexpr uint32_t kNoPrefixes = 7;
  apply("service add web tcp 192.0.2.10:80 persist 5m\n");
  const uint32_t svc_id = live().services[0].id;
  add_flows(pin_path(), 20);
  add_persist(pin_path(), svc_id, 15);
  set_stored_layout(kNoPrefixes);
  ASSERT_EQ(unlink((pin_path() + "/xlb_vip_prefixes").c_str()), 0);
  ASSERT_EQ(unlink((pin_path() + "/xlb_vip_cover").c_str()), 0);
  expect_layout(kNoPrefixes);
  const std::string out = upgrade_by({"service", "add", "net", "tcp", "198.51.100.0/30:80"}, 7);
  EXPECT_NE(out.find("15 persistence entries carried over"), std::string::npos) << out;
  EXPECT_EQ(pinned_info(pin_path() + "/xlb_vip_prefixes").key_size, sizeof(xlb_vip_prefix_key));
  EXPECT_EQ(pinned_info(pin_path() + "/xlb_vip_cover").value_size, sizeof(xlb_vip_cover));
  expect_carried_flows(pin_path(), 20);
  int fd = bpf_obj_get((pin_path() + "/xlb_persist").c_str());
  ASSERT_GE(fd, 0);
  for (int i = 0; i < 15; i++) {
    xlb_persist_key k = persist_key(svc_id, static_cast<uint8_t>(i + 1));
    xlb_persist p{};
    EXPECT_EQ(bpf_map_lookup_elem(fd, &k, &p), 0) << "persist " << i;
    EXPECT_EQ(p.backend, static_cast<uint32_t>(100 + i));
    EXPECT_EQ(p.cookie, 11u);
    EXPECT_EQ(p.last_seen, 88u);
  }
  close(fd);
  const std::string rs = list_ruleset();
  EXPECT_NE(rs.find("service add web tcp 192.0.2.10:80 sched mh persist 5m"), std::string::npos);
  EXPECT_NE(rs.find("service add net tcp 198.51.100.0/30:80"), std::string::npos) << rs;
}

// Uncommitted pins without the prefix VIPs' trie are layout 7.
TEST_F(Layout, UncommittedPinsWithoutPrefixVipsAreLayout7) {
  ASSERT_EQ(unlink((pin_path() + "/xlb_vip_prefixes").c_str()), 0);
  expect_layout(7u);
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

// Layout 8: the Maglev tables are mmapable (filled through a mapping).
// Every table a commit installs is, and what the kernel reads slot by slot
// is the whole table: two equal backends, about half the slots each.
TEST_F(Layout, MaglevTablesAreMmapable) {
  const int64_t want = BPF_F_INNER_MAP | BPF_F_MMAPABLE;
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

// Replaces the pinned xlb_vip_cover by layout 8's: the prefix cover alone,
// 48 bytes a bank, no VIP bitmap.
void pin_layout8_cover(const std::string& pin_path) {
  const std::string path = pin_path + "/xlb_vip_cover";
  int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "xlb_vip_cover", sizeof(uint32_t), 48, 2, nullptr);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(unlink(path.c_str()), 0);
  ASSERT_EQ(bpf_obj_pin(fd, path.c_str()), 0);
  close(fd);
}

// Whether the active bank's VIP bitmap has the bit of `vip`.
bool vip_bit_set(const std::string& pin_path, const char* vip) {
  auto st = State::open(pin_path);
  EXPECT_TRUE(st.ok());
  if (!st.ok()) return false;
  uint32_t zero = 0;
  xlb_ctl ctl{};
  EXPECT_EQ(bpf_map_lookup_elem(st->maps().ctl(), &zero, &ctl), 0);
  xlb_vip_cover cover{};
  EXPECT_EQ(bpf_map_lookup_elem(st->maps().vip_cover(), &ctl.active_bank, &cover), 0);
  const xlb_addr a = IpAddr::parse(vip)->to_abi();
  const uint32_t bit = xlb_vip_bit(&a);
  return (cover.bits[bit / 64] >> (bit % 64)) & 1;
}

// Layout 8 had no VIP bitmap (layout 9): the first command writes it from
// the model, for the VIPs already there too, and the flows stay.
TEST_F(Layout, CoverWithoutVipBitmapIsUpgradedWithFlows) {
  apply("service add web tcp 192.0.2.10:80\n");
  add_flows(pin_path(), 20);
  set_stored_layout(8);
  pin_layout8_cover(pin_path());
  upgrade_by({"service", "add", "api", "tcp", "192.0.2.11:443"}, 8);
  EXPECT_EQ(pinned_info(pin_path() + "/xlb_vip_cover").value_size, sizeof(xlb_vip_cover));
  EXPECT_TRUE(vip_bit_set(pin_path(), "192.0.2.10"));
  EXPECT_TRUE(vip_bit_set(pin_path(), "192.0.2.11"));
  expect_carried_flows(pin_path(), 20);
}

// Uncommitted pins whose cover has no VIP bitmap are layout 8.
TEST_F(Layout, UncommittedPinsWithoutVipBitmapAreLayout8) {
  pin_layout8_cover(pin_path());
  expect_layout(8u);
}

}  // namespace
}  // namespace xlb::test
