#include "sync/replay.hpp"

namespace xlb::sync {

bool ReplayWindow::accept(uint64_t seq) {
  if (!any_ || seq > highest_) {
    const uint64_t shift = any_ ? seq - highest_ : kWidth;
    seen_ = shift >= kWidth ? 0 : seen_ << shift;
    seen_ |= 1;
    highest_ = seq;
    any_ = true;
    return true;
  }
  const uint64_t back = highest_ - seq;
  if (back >= kWidth) return false;
  const uint64_t bit = uint64_t{1} << back;
  if (seen_ & bit) return false;
  seen_ |= bit;
  return true;
}

}  // namespace xlb::sync
