// The command table: every command form once. The parser finds an object's
// parse function here; `help` prints it, the shell completes from it, and the
// docs test checks it against the parser, the man pages and bash completion.
#pragma once

#include <span>
#include <string>

#include "config/command.hpp"

namespace xlb {

namespace parse {
class Cursor;
}

// Reads an object's words after the object name (the verb first).
using ObjectParser = Result<Command> (*)(parse::Cursor&);

struct CommandSpec {
  const char* object;
  const char* verb;     // "" for the object's default form
  const char* args;     // BNF-ish, e.g. "SERVICE ADDR [weight N] [mac MAC]"
  const char* summary;  // one line of help
  ObjectParser parse;   // the object's parser (the same in every row of an object)
  const char* example;  // a whole command of this form: the docs test parses it
};

std::span<const CommandSpec> command_specs();
// The row of an object: an exact name, else the first object in table order
// that `word` is a prefix of (like ip(8): `xlb s` is service). nullptr: none.
const CommandSpec* find_object(const std::string& word);
// The usage text of one object (all objects when empty).
std::string command_help(const std::string& object);

}  // namespace xlb
