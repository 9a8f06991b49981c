// sync_bank against a real BPF hash map: the inactive bank ends up holding
// exactly what is wanted (entries it lacks written, entries that differ
// rewritten, the rest deleted), and the other bank is not touched. Both
// sides are walked as sorted sequences, so keys are chosen to interleave.
#include <bpf/bpf.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <map>

#include "state/banked_map.hpp"

namespace xlb::test {
namespace {

struct Key {
  uint32_t bank;
  uint32_t id;
};
using Value = uint64_t;

class BankedMapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root (BPF maps)";
    fd_ =
        bpf_map_create(BPF_MAP_TYPE_HASH, "xlb_test_bank", sizeof(Key), sizeof(Value), 64, nullptr);
    ASSERT_GE(fd_, 0);
  }
  void TearDown() override {
    if (fd_ >= 0) close(fd_);
  }
  void put(uint32_t bank, uint32_t id, Value v) const {
    const Key k{bank, id};
    ASSERT_EQ(bpf_map_update_elem(fd_, &k, &v, BPF_ANY), 0);
  }
  // Every entry of `bank`, by id.
  std::map<uint32_t, Value> bank_content(uint32_t bank) const {
    auto rows = read_bank<Key, Value>(map(), bank);
    EXPECT_TRUE(rows.ok());
    std::map<uint32_t, Value> out;
    if (rows.ok())
      for (const auto& [k, v] : *rows) out[k.id] = v;
    return out;
  }
  BankedMap map() const { return BankedMap{fd_, "read", "delete", "write", nullptr}; }
  int fd_ = -1;
};

TEST_F(BankedMapTest, SyncLeavesExactlyTheWantedEntriesAndSparesTheOtherBank) {
  for (uint32_t id : {1u, 3u, 4u, 6u, 9u, 12u}) put(0, id, 100 + id);
  for (uint32_t id : {1u, 2u, 3u}) put(1, id, 7);
  BankEntries<Key, Value> want;
  for (uint32_t id : {2u, 3u, 6u, 7u, 12u, 20u}) want[Key{0, id}] = 100 + id;
  want[Key{0, 6}] = 66;  // differs from what the bank has
  auto rows = read_bank<Key, Value>(map(), 0);
  ASSERT_TRUE(rows.ok());
  ASSERT_TRUE(sync_bank(map(), *rows, want).ok());
  const std::map<uint32_t, Value> expect{{2, 102}, {3, 103},  {6, 66},
                                         {7, 107}, {12, 112}, {20, 120}};
  EXPECT_EQ(bank_content(0), expect);
  const std::map<uint32_t, Value> other{{1, 7}, {2, 7}, {3, 7}};
  EXPECT_EQ(bank_content(1), other);
}

TEST_F(BankedMapTest, AnEmptyWantEmptiesTheBank) {
  for (uint32_t id = 0; id < 40; id++) put(0, id, id);
  auto rows = read_bank<Key, Value>(map(), 0);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->size(), 40u);
  ASSERT_TRUE(sync_bank(map(), *rows, BankEntries<Key, Value>{}).ok());
  EXPECT_TRUE(bank_content(0).empty());
}

}  // namespace
}  // namespace xlb::test
