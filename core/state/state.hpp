// The live configuration: read without locks, changed in transactions.
//
// update() takes the writer lock on the pin directory, reads the live model,
// lets the caller edit a copy, validates it and commits it (transaction.hpp):
// the datapath sees the whole old or the whole new configuration. When the
// edit or the commit fails, nothing has changed. Before reading, it repairs
// what a writer that died mid-transaction left (recovery.hpp).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "model/model.hpp"
#include "state/maps.hpp"

namespace xlb {

class State {
 public:
  static Result<State> open(const std::string& pin_path);

  // The committed configuration. Never blocks.
  Result<Config> read() const;
  Status update(const std::function<Status(Config&)>& edit);
  // As update(), for an edit that replaces the whole configuration (`flush
  // ruleset`, a file that starts with it): a stored model that cannot be read
  // is then discarded instead of failing, so a corrupted store never needs
  // pin surgery. *discarded says why when that happened.
  Status replace(const std::function<Status(Config&)>& edit, std::string* discarded);
  // Commits `model` into never written maps keeping its ids and cookies (a
  // layout upgrade, whose carried flow entries name them).
  Status adopt(const Config& model);
  // Runs fn with the writer lock held and the committed configuration, for
  // writes outside the model that must not race a transaction (the
  // next-hop table's tunnel entries follow neighbours, not the model).
  Status with_live(const std::function<Status(const Config&)>& fn);
  // What the last update() repaired or could not finish without failing:
  // a dead writer's leftovers, the hc port's routes. Shown as warnings.
  const std::vector<std::string>& warnings() const { return warnings_; }
  Maps& maps() { return maps_; }
  const Maps& maps() const { return maps_; }

 private:
  explicit State(Maps m) : maps_(std::move(m)) {}
  Status edit_live(const std::function<Status(Config&)>& edit, std::string* discarded);
  Maps maps_;
  std::vector<std::string> warnings_;
  std::string upgraded_;  // what opening upgraded, reported with the warnings
};

}  // namespace xlb
