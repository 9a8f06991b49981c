// xlb -i: the same commands at a readline prompt, with history and
// completion; an error is shown and the shell goes on.
#include <unistd.h>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <set>
#include <string>
#include <string_view>

#include "audit.hpp"
#include "config/command_table.hpp"
#include "config/lexer.hpp"
#include "handlers.hpp"
#include "line_editor.hpp"

namespace xlb::cli {

namespace {

Context* g_ctx = nullptr;
const LineEditor* g_rl = nullptr;
std::vector<std::string> g_candidates;

std::string history_path() {
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.xlb_history";
}

// Lowercase literal words of a synopsis: the keywords worth completing.
void add_keywords(const char* args, std::set<std::string>& out) {
  std::string w;
  for (const char* p = args;; p++) {
    if (*p && (std::islower(static_cast<unsigned char>(*p)) || *p == '-')) {
      w += *p;
      continue;
    }
    if (w.size() > 1 && w.find("--") != 0) out.insert(w);
    w.clear();
    if (!*p) break;
  }
}

void live_names(std::set<std::string>& out, bool services_only) {
  auto st = open_state(*g_ctx);
  if (!st) return;
  auto cfg = st->read();
  if (!cfg) return;
  for (const auto& s : cfg->services) {
    out.insert(s.name);
    if (services_only) continue;
    for (const auto& b : s.backends) out.insert(b.addr.str());
  }
}

// Where a synopsis starts with SERVICE, the first argument is a service
// name or a protocol (PROTO VIP:PORT), never an option keyword: `backend
// add w<TAB>` must complete `web`, not stop at the ambiguity with `weight`.
bool takes_service_first(const char* args) {
  std::string_view a(args);
  return a.starts_with("SERVICE") || a.starts_with("[SERVICE]");
}

std::vector<std::string> candidates_for(const std::vector<std::string>& words) {
  std::set<std::string> out;
  bool service_slot = false;
  for (const auto& s : command_specs()) {
    if (words.empty())
      out.insert(s.object);
    else if (words.size() == 1 && words[0] == s.object && *s.verb)
      out.insert(s.verb);
    else if (words.size() == 2 && words[0] == s.object && words[1] == s.verb &&
             takes_service_first(s.args))
      service_slot = true;
    else if (words.size() >= 2 && words[0] == s.object && words[1] == s.verb)
      add_keywords(s.args, out);
  }
  if (words.empty()) out.insert({"help", "quit"});
  if (service_slot) out.insert({"tcp", "udp"});
  if (words.size() >= 2) live_names(out, service_slot);
  return {out.begin(), out.end()};
}

char* generator(const char* text, int state) {
  static size_t i;
  if (state == 0) i = 0;
  size_t n = std::strlen(text);
  while (i < g_candidates.size()) {
    const std::string& c = g_candidates[i++];
    if (c.compare(0, n, text) == 0) return strdup(c.c_str());
  }
  return nullptr;
}

char** complete(const char* text, int start, int) {
  std::vector<std::string> words;
  std::string before(*g_rl->line_buffer, start);
  size_t p = 0;
  while ((p = before.find_first_not_of(" \t", p)) != std::string::npos) {
    size_t e = before.find_first_of(" \t", p);
    words.push_back(before.substr(p, e - p));
    p = e;
  }
  g_candidates = candidates_for(words);
  *g_rl->attempted_completion_over = 1;
  return g_rl->completion_matches(text, generator);
}

void run_line(const std::string& line, LexSession& lexer, Context& ctx) {
  SourceError err;
  auto stmts = lexer.lex(line, "<shell>", &err);
  if (!stmts) {
    ctx.out.error_text(render_error(err));
    return;
  }
  for (const auto& st : *stmts) {
    std::vector<std::string> words;
    for (const auto& t : st.tokens) words.push_back(t.text);
    auto cmd = parse_command(words);
    ctx.command_line = "xlb -i: " + quote_command_line(words);
    Status s = cmd ? run(*cmd, ctx) : Status(cmd.error());
    if (!s && !s.error().message.empty()) ctx.out.error(s.error());
  }
}

// One line of the session; false at `quit` or `exit`. `hist`: the history
// file, none for piped commands.
bool session_line(const std::string& line, LexSession& lexer, Context& ctx,
                  const std::string* hist) {
  size_t b = line.find_first_not_of(" \t");
  if (b == std::string::npos) return true;
  if (hist) {
    g_rl->add_history(line.c_str());
    if (g_rl->append_history(1, hist->c_str()) != 0) g_rl->write_history(hist->c_str());
  }
  if (line.substr(b) == "quit" || line.substr(b) == "exit") return false;
  run_line(line, lexer, ctx);
  return true;
}

// Plain lines from standard input, with no history: piped commands (a
// script's edits: no prompt, no echo; each is still its own commit), or a
// terminal's when readline cannot be loaded (with the prompt).
int run_plain(Context& ctx, const char* prompt) {
  LexSession lexer;  // defines last for the whole session
  std::string line;
  while ((std::cout << prompt << std::flush) && std::getline(std::cin, line))
    if (!session_line(line, lexer, ctx, nullptr)) break;
  if (*prompt) std::cout << "\n";
  return 0;
}

}  // namespace

int run_shell(Context& ctx) {
  if (!isatty(0)) return run_plain(ctx, "");
  std::string why;
  g_rl = line_editor(why);
  if (!g_rl) {
    std::cerr << "xlb: no line editing or history (" << why << ")\n";
    return run_plain(ctx, "xlb> ");
  }
  g_ctx = &ctx;
  *g_rl->attempted_completion = complete;
  const std::string hist = history_path();
  g_rl->read_history(hist.c_str());
  LexSession lexer;  // defines last for the whole session
  while (char* raw = g_rl->read_line("xlb> ")) {
    std::string line(raw);
    std::free(raw);
    if (!session_line(line, lexer, ctx, &hist)) break;
  }
  std::cout << "\n";
  return 0;
}

}  // namespace xlb::cli
