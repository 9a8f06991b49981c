// The replay window: each sequence number once, nothing older than the window.
#include <gtest/gtest.h>

#include "sync/replay.hpp"

namespace xlb::sync {
namespace {

TEST(SyncReplay, EachSequenceNumberOnce) {
  ReplayWindow w;
  EXPECT_TRUE(w.accept(100));
  EXPECT_FALSE(w.accept(100));
  EXPECT_TRUE(w.accept(101));
  EXPECT_FALSE(w.accept(101));
  EXPECT_FALSE(w.accept(100));
}

TEST(SyncReplay, ReorderedWithinTheWindowIsAccepted) {
  ReplayWindow w;
  EXPECT_TRUE(w.accept(1000));
  EXPECT_TRUE(w.accept(990));
  EXPECT_TRUE(w.accept(999));
  EXPECT_FALSE(w.accept(990));
  EXPECT_TRUE(w.accept(1000 - ReplayWindow::kWidth + 1));
  EXPECT_FALSE(w.accept(1000 - ReplayWindow::kWidth));  // too old
}

TEST(SyncReplay, AJumpForgetsTheOldWindow) {
  ReplayWindow w;
  for (uint64_t s = 1; s <= 10; s++) EXPECT_TRUE(w.accept(s));
  EXPECT_TRUE(w.accept(1'000'000));
  EXPECT_FALSE(w.accept(10));
  EXPECT_TRUE(w.accept(999'999));
}

TEST(SyncReplay, SendersHaveTheirOwnWindows) {
  ReplayGuard g;
  EXPECT_TRUE(g.accept(1, 5));
  EXPECT_TRUE(g.accept(2, 5));
  EXPECT_FALSE(g.accept(1, 5));
  EXPECT_FALSE(g.accept(2, 5));
  EXPECT_EQ(g.senders(), 2u);
}

}  // namespace
}  // namespace xlb::sync
