// Replay protection: a sliding window of sequence numbers per sender (as
// IPsec's): a sequence number is accepted once, and only while it is newer
// than the sender's highest minus the window. Only datagrams whose tag
// verified reach it, so only key holders can create windows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>

namespace xlb::sync {

class ReplayWindow {
 public:
  static constexpr uint64_t kWidth = 64;
  // True (and remembered) when `seq` was not seen and is not too old.
  bool accept(uint64_t seq);

 private:
  uint64_t highest_ = 0;
  uint64_t seen_ = 0;  // bit i: highest_ - i was accepted
  bool any_ = false;
};

class ReplayGuard {
 public:
  bool accept(uint32_t sender, uint64_t seq) { return windows_[sender].accept(seq); }
  size_t senders() const { return windows_.size(); }

 private:
  std::unordered_map<uint32_t, ReplayWindow> windows_;
};

}  // namespace xlb::sync
