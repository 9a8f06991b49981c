// Every command form, once: what `help` prints, what the shell completes,
// and what the docs test checks against the man page and bash completion.
#pragma once

#include <span>
#include <string>

namespace xlb {

struct CommandSpec {
  const char* object;
  const char* verb;  // "" for the object's default form
  const char* args;  // BNF-ish, e.g. "SERVICE ADDR [weight N] [mac MAC]"
  const char* summary;
};

std::span<const CommandSpec> command_specs();
// The usage text of one object (all objects when empty).
std::string command_help(const std::string& object);

}  // namespace xlb
