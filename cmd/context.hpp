// What every command handler gets: the global options and the output.
#pragma once

#include <string>

#include "output.hpp"

namespace xlb::cli {

struct Options {
  bool json = false;
  bool pretty = false;
  bool numeric = false;
  std::string pin_path;
};

struct Context {
  Options opts;
  Output out;
  // The command as typed, for the audit trail (audit.hpp).
  std::string command_line;
  explicit Context(const Options& o) : opts(o), out(o.json, o.pretty) {}
};

}  // namespace xlb::cli
