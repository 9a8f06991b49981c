// Ruleset files: printing the configuration as commands, and applying a
// file's commands to a model as one edit.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "base/source.hpp"
#include "config/command.hpp"
#include "config/lexer.hpp"
#include "model/model.hpp"

namespace xlb {

// The whole configuration as a file that `xlb -f` applies back:
// `xlb list ruleset | xlb -f -` changes nothing.
std::string print_ruleset(const Config& c);

struct RulesetCommand {
  Command command;
  const Statement* statement;
};

// Parses every statement; only configuration edits are allowed in a file.
Result<std::vector<RulesetCommand>> parse_ruleset(const std::vector<Statement>& stmts,
                                                  SourceError* err);

// Applies the commands to `next` in order; an error names its statement.
Status apply_ruleset(Config& next, const std::vector<RulesetCommand>& cmds, SourceError* err);

// The statement an error of the whole file's outcome (found at commit time,
// not by the statement's own edit) comes from: the one after which `probe`
// fails with that error's message on every statement to the end of the
// file. Null when `probe` does not reproduce the error, or it already held
// before the file (`live`).
const Statement* find_culprit(const Config& live, const std::vector<RulesetCommand>& cmds,
                              const Error& error,
                              const std::function<Status(const Config&)>& probe);

// The last `backend add` of the file naming this backend of this service.
const Statement* statement_adding(const Config& next, const std::vector<RulesetCommand>& cmds,
                                  const std::string& service, const IpAddr& backend);

// Backends that exist both in `live` and `next` keep what the kernel or the
// health checker found for them (resolved MAC, health, dynamic weights while
// the service's mode and the backend's weight are unchanged), even when the
// file re-created them after `flush ruleset`.
void carry_runtime_state(const Config& live, Config& next);

}  // namespace xlb
