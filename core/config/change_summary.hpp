// What a command changes, in a few words, for the audit trail: "service add
// web", "backend disable web 10.0.0.1", "interface attach eth0". Commands
// that only read have none.
#pragma once

#include <optional>
#include <string>

#include "config/command.hpp"

namespace xlb {

// nullopt: the command changes nothing (lists, stats, flows get, help...).
std::optional<std::string> change_summary(const Command& c);

}  // namespace xlb
