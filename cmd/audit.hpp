// The audit trail: one syslog line (ident "xlb", LOG_AUTHPRIV|LOG_NOTICE)
// for every command or file that changed the state, saying what changed,
// who changed it and the command line. Commands that fail change nothing
// and log nothing; read-only commands and `-c` log nothing.
//
// The line goes to /dev/log (journald or the syslog daemon), or to the unix
// datagram socket named by XLB_AUDIT_SOCKET (for tests). Logging is best
// effort: without a syslog socket the command still succeeds.
#pragma once

#include <string>
#include <vector>

namespace xlb::cli {

// argv as one line a shell would take back: words quoted where needed,
// control characters escaped (a line of the log stays one line).
std::string quote_command_line(const std::vector<std::string>& words);

// Logs "CHANGE; by USER (uid N)[, login L]; command: COMMAND_LINE".
void audit(const std::string& change, const std::string& command_line);

}  // namespace xlb::cli
