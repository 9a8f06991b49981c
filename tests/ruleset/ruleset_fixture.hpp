// What the ruleset tests share: the real xlb binary run as a child, and a
// fixture with the real datapath loaded and pinned into a private bpffs.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "bpffs.hpp"
#include "state/loader.hpp"
#include "state/state.hpp"

namespace xlb::test {

struct RunResult {
  int status = -1;  // the exit status; -1 when killed or not run
  std::string out, err;
};

// Runs the xlb binary with `args`, `input` on its standard input; waits.
RunResult run_xlb(const std::vector<std::string>& args, const std::string& input = "");

// A temporary directory, removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  // Writes `text` to path()/name and returns the file's path.
  std::string write(const std::string& name, const std::string& text) const;

 private:
  std::string path_;
};

class PinnedTest : public ::testing::Test {
 protected:
  void SetUp() override;

  // xlb --pin-path PIN ARGS...
  RunResult xlb(std::vector<std::string> args, const std::string& input = "") const;
  // Applies `text` with `xlb -f -`; a failure fails the test.
  void apply(const std::string& text) const;
  // `xlb list ruleset`; a failure fails the test.
  std::string list_ruleset() const;
  // Everything the pins say about the configuration, ids and cookies
  // included, plus the active bank: equal dumps, unchanged state.
  std::string dump() const;
  Config live() const;

  const std::string& pin_path() const { return pin_path_; }
  int prog_fd() const { return prog_->fd(); }
  const TempDir& dir() const { return *dir_; }

 private:
  std::optional<PrivateBpffs> bpffs_;
  std::optional<LoadedProgram> prog_;
  std::optional<State> state_;
  std::optional<TempDir> dir_;
  std::string pin_path_;
};

}  // namespace xlb::test
