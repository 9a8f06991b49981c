// readline for `xlb -i` at a terminal, loaded when the shell starts rather
// than linked: every other command (and a piped `xlb -i`) would otherwise
// pay for mapping and relocating libreadline and libtinfo at start, on a
// guest where each page fault costs 10-25 us (bench/README.md, control
// plane).
#pragma once

#include <readline/history.h>
#include <readline/readline.h>

#include <string>

namespace xlb::cli {

// The readline entry points and variables the shell uses.
struct LineEditor {
  decltype(&::readline) read_line;
  decltype(&::add_history) add_history;
  decltype(&::append_history) append_history;
  decltype(&::write_history) write_history;
  decltype(&::read_history) read_history;
  decltype(&::rl_completion_matches) completion_matches;
  char** line_buffer;                           // &rl_line_buffer
  int* attempted_completion_over;               // &rl_attempted_completion_over
  rl_completion_func_t** attempted_completion;  // &rl_attempted_completion_function
};

// The line editor, loaded once; nullptr when libreadline cannot be loaded
// (`why` says why).
const LineEditor* line_editor(std::string& why);

}  // namespace xlb::cli
