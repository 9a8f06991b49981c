#include "state/state.hpp"

#include <utility>

#include "state/bpffs.hpp"
#include "state/hc_port.hpp"
#include "state/recovery.hpp"
#include "state/store.hpp"
#include "state/transaction.hpp"
#include "state/upgrade.hpp"

namespace xlb {

Result<State> State::open(const std::string& pin_path) {
  // Pins of an older layout are upgraded in place by the first command of
  // this xlb; newer ones are refused before anything reads them.
  auto up = upgrade_layout(pin_path);
  if (!up) return up.error();
  auto m = Maps::open(pin_path);
  if (!m) return m.error();
  State s(std::move(*m));
  if (up->from) s.upgraded_ = describe(*up);
  return s;
}

namespace {

// Where the operator reads about a damaged store, the way out.
Error with_way_out(Error e) {
  e.message += " (`xlb flush ruleset` replaces it)";
  return e;
}

}  // namespace

Result<Config> State::read() const {
  // A writer may flip banks while we read: read again until the control
  // word is the same before and after.
  for (int attempt = 0; attempt < 100; attempt++) {
    auto before = ctl_read(maps_);
    if (!before) return before.error();
    auto c = store_read(maps_, before->active_bank);
    auto after = ctl_read(maps_);
    if (!after) return after.error();
    if (before->generation == after->generation) return c ? c : with_way_out(c.error());
  }
  return runtime_error("the configuration keeps changing; try again");
}

Status State::update(const std::function<Status(Config&)>& edit) {
  return edit_live(edit, nullptr);
}

Status State::replace(const std::function<Status(Config&)>& edit, std::string* discarded) {
  return edit_live(edit, discarded);
}

Status State::adopt(const Config& model) {
  auto lock = PinLock::acquire(maps_.pin_path());
  if (!lock) return lock.error();
  auto ctl = ctl_read(maps_);
  if (!ctl) return ctl.error();
  Config next = model;
  warnings_.clear();
  return commit(maps_, Config{}, *ctl, next, warnings_, true);
}

Status State::with_live(const std::function<Status(const Config&)>& fn) {
  auto lock = PinLock::acquire(maps_.pin_path());
  if (!lock) return lock.error();
  auto ctl = ctl_read(maps_);
  if (!ctl) return ctl.error();
  auto live = store_read(maps_, ctl->active_bank);
  if (!live) return with_way_out(live.error());
  return fn(*live);
}

// discarded: null when an unreadable model is an error.
Status State::edit_live(const std::function<Status(Config&)>& edit, std::string* discarded) {
  auto lock = PinLock::acquire(maps_.pin_path());
  if (!lock) return lock.error();
  auto ctl = ctl_read(maps_);
  if (!ctl) return ctl.error();
  auto live = store_read(maps_, ctl->active_bank);
  if (!live && !discarded) return with_way_out(live.error());
  if (!live) *discarded = live.error().message;
  const Config old = live ? *live : Config{};
  warnings_.clear();
  if (!upgraded_.empty()) warnings_.push_back(std::exchange(upgraded_, {}));
  auto recovered = recover_interrupted(maps_, *ctl, old);
  if (!recovered) return recovered.error();
  if (*recovered) warnings_.push_back(**recovered);
  Config next = old;
  XLB_TRY(edit(next));
  XLB_TRY(commit(maps_, old, *ctl, next, warnings_));
  // Host-side state follows the committed configuration; every writer
  // re-applies it, so a failure here is repaired by the next command.
  Status port = hc_port_sync(maps_, next.settings);
  if (!port) warnings_.push_back(port.error().message + " (the next command retries)");
  return {};
}

}  // namespace xlb
