#include "health/health_fsm.hpp"

namespace xlb {

bool CheckFsm::feed(bool ok, uint32_t rise, uint32_t fall) {
  if (state_ == Health::up) {
    fails_ = ok ? 0 : fails_ + 1;
    if (fails_ < fall) return false;
    state_ = Health::down;
  } else {
    passes_ = ok ? passes_ + 1 : 0;
    if (passes_ < rise) return false;
    state_ = Health::up;
  }
  passes_ = fails_ = 0;
  return true;
}

}  // namespace xlb
