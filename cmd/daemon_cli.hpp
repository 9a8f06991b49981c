// The command line of a daemon (xlb-healthd, xlb-syncd), parsed by CLI11.
#pragma once

#include <CLI/CLI.hpp>
#include <iostream>
#include <optional>

namespace xlb {

// --help and --version print and leave with 0; a bad option leaves with 2
// and "NAME: error: ..." on stderr. nullopt: go on.
inline std::optional<int> parse_daemon_cli(CLI::App& app, int argc, char** argv, const char* name) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::cerr << name << ": error: " << e.what() << "\n";
    return 2;
  }
  return std::nullopt;
}

}  // namespace xlb
