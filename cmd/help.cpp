// help, OBJECT help
#include "config/command_table.hpp"
#include "handlers.hpp"

namespace xlb::cli {

std::string global_usage() {
  return "Usage: xlb [OPTIONS] OBJECT { COMMAND | help }\n"
         "       xlb [OPTIONS] -f FILE     apply a ruleset file atomically (- for stdin)\n"
         "       xlb [OPTIONS] -c -f FILE  check a ruleset file, change nothing\n"
         "       xlb [OPTIONS] -i          interactive shell\n"
         "OBJECT := { interface | service | backend | check | flows | stats | nat | set | list "
         "|\n"
         "            flush | import | decap }\n"
         "SERVICE := { NAME | tcp|udp VIP[:PORT] }\n"
         "OPTIONS := { -j|--json | -p|--pretty | -n|--numeric | --pin-path DIR | --version }\n";
}

Status handle(const cmd::Help& c, Context& ctx) {
  std::string text =
      (c.object.empty() ? global_usage() + "\nCommands:\n" : "") + command_help(c.object);
  ctx.out.print(json{{"help", text}}, [&](const json&) { return text; });
  return {};
}

}  // namespace xlb::cli
