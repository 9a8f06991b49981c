// The rise/fall state machine of one check of one backend (HAProxy's
// `rise`/`fall`): `rise` passes in a row bring a down check up, `fall`
// failures in a row bring an up check down. It starts from the backend's
// health read back from the pins, with empty counters, so a restarted
// daemon neither flaps nor skips the count.
#pragma once

#include <cstdint>

#include "model/model.hpp"

namespace xlb {

class CheckFsm {
 public:
  explicit CheckFsm(Health start = Health::up) : state_(start) {}

  // Feeds one probe result; true when the state changed.
  bool feed(bool ok, uint32_t rise, uint32_t fall);
  Health state() const { return state_; }
  // The run of results that counts towards the next change ("2/3").
  uint32_t run() const { return state_ == Health::up ? fails_ : passes_; }

 private:
  Health state_;
  uint32_t passes_ = 0;  // passes in a row while down
  uint32_t fails_ = 0;   // failures in a row while up
};

}  // namespace xlb
