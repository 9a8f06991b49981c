#include "line_editor.hpp"

#include <dlfcn.h>

namespace xlb::cli {

namespace {

#ifdef XLB_READLINE_LINKED
// Linked in (XLB_STATIC_DEPS): the symbols are there already.
const LineEditor* load(std::string&) {
  static const LineEditor e{readline,
                            ::add_history,
                            ::append_history,
                            ::write_history,
                            ::read_history,
                            rl_completion_matches,
                            &rl_line_buffer,
                            &rl_attempted_completion_over,
                            &rl_attempted_completion_function};
  return &e;
}
#else
// libreadline's run-time name on Debian 12 (package libreadline8, which
// the xlb package depends on).
constexpr const char* kLibrary = "libreadline.so.8";

template <typename T>
bool bind(void* lib, const char* name, T& out) {
  out = reinterpret_cast<T>(dlsym(lib, name));
  return out != nullptr;
}

const LineEditor* load(std::string& why) {
  static LineEditor e{};
  void* lib = dlopen(kLibrary, RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char* err = dlerror();
    why = err ? err : kLibrary;
    return nullptr;
  }
  bool ok = bind(lib, "readline", e.read_line) && bind(lib, "add_history", e.add_history) &&
            bind(lib, "append_history", e.append_history) &&
            bind(lib, "write_history", e.write_history) &&
            bind(lib, "read_history", e.read_history) &&
            bind(lib, "rl_completion_matches", e.completion_matches) &&
            bind(lib, "rl_line_buffer", e.line_buffer) &&
            bind(lib, "rl_attempted_completion_over", e.attempted_completion_over) &&
            bind(lib, "rl_attempted_completion_function", e.attempted_completion);
  if (!ok) {
    why = std::string(kLibrary) + " lacks a symbol xlb uses";
    dlclose(lib);
    return nullptr;
  }
  return &e;  // the library stays loaded for the session
}
#endif

}  // namespace

const LineEditor* line_editor(std::string& why) {
  static std::string load_error;
  static const LineEditor* editor = load(load_error);
  why = load_error;
  return editor;
}

}  // namespace xlb::cli
