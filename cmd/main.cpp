// xlb: the command-line tool. Global options here; the command words go to
// the one grammar shared with ruleset files and the shell (core/config/command.hpp).
#include <malloc.h>
#include <sys/mman.h>

#include <CLI/CLI.hpp>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>

#include "audit.hpp"
#include "handlers.hpp"
#include "xlb_abi.h"

using namespace xlb;
using namespace xlb::cli;

namespace {

struct Invocation {
  Options opts;
  std::string file;
  bool check = false;
  bool diff = false;
  bool interactive = false;
  std::vector<std::string> words;
};

// Global flags are accepted after the command too (`xlb service list -j`).
void lift_flags(Invocation& inv) {
  std::vector<std::string> rest;
  for (const auto& w : inv.words) {
    if (w == "-j" || w == "--json")
      inv.opts.json = true;
    else if (w == "-p" || w == "--pretty")
      inv.opts.json = inv.opts.pretty = true;
    else if (w == "-n" || w == "--numeric")
      inv.opts.numeric = true;
    else
      rest.push_back(w);
  }
  inv.words = std::move(rest);
}

int exit_code(const Status& s, Context& ctx) {
  if (s) return 0;
  if (!s.error().message.empty()) ctx.out.error(s.error());
  return static_cast<int>(s.error().kind);
}

int run_words(Invocation& inv, Context& ctx) {
  auto cmd = parse_command(inv.words);
  if (!cmd) return exit_code(cmd.error(), ctx);
  return exit_code(run(*cmd, ctx), ctx);
}

void define_options(CLI::App& app, Invocation& inv) {
  const char* env = std::getenv("XLB_PIN_PATH");
  inv.opts.pin_path = env && *env ? env : "/sys/fs/bpf/xlb";
  app.add_flag("-j,--json", inv.opts.json, "JSON output");
  app.add_flag("-p,--pretty", inv.opts.pretty, "pretty JSON output (implies -j)");
  app.add_flag("-n,--numeric", inv.opts.numeric, "numeric output (addresses are never resolved)");
  app.add_option("--pin-path", inv.opts.pin_path, "bpffs directory of the state")
      ->envname("XLB_PIN_PATH");
  app.add_option("-f,--file", inv.file, "apply a ruleset file atomically (- for stdin)");
  app.add_flag("-c,--check", inv.check, "with -f: check only, change nothing");
  app.add_flag("--diff", inv.diff, "with -c -f: print what applying would change");
  app.add_flag("-i,--interactive", inv.interactive, "interactive shell");
  app.set_version_flag("--version", std::string("xlb ") + XLB_VERSION + " (map layout " +
                                        std::to_string(XLB_ABI_VERSION) + ")");
  app.prefix_command();
  app.footer("Try: xlb help");
}

// A malformed option is a usage error like any other: one `xlb: error:`
// line, or {"error": ...} under -j. CLI11 has not stored the flags when it
// throws, so -j is looked for among the words.
int option_error(const CLI::ParseError& e, int argc, char** argv, Options opts) {
  for (int i = 1; i < argc; i++) {
    std::string w = argv[i];
    if (w == "-j" || w == "--json" || w == "-p" || w == "--pretty") opts.json = true;
  }
  Context ctx(opts);
  return exit_code(usage_error(e.what()), ctx);
}

// A command's big buffers (the stored model, its index, the views) are
// freed and others allocated in turn: kept in the heap, the next one reuses
// pages already touched instead of mapping fresh ones (a page fault per
// 4 KiB, costly on a guest: 1,000 services x 10 backends, `service list`
// 4,360 -> 2,920 faults).
void keep_freed_memory() {
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

// The heap's next 48 MiB, asked to be transparent huge pages (where THP is
// `madvise` or `always`): a command touching its first MiB of heap takes
// one fault of 2 MiB instead of 256 of 4 KiB, and `xlb -f` of 10,000
// backends about 1,000 faults instead of 5,300. Nothing is touched here:
// the block is grown with brk and freed into the kept heap, and its pages
// exist only once used. Without THP the advice fails and nothing changes.
void heap_in_huge_pages() {
  constexpr size_t kBytes = size_t{48} << 20, kHuge = size_t{2} << 20;
  void* p = malloc(kBytes);
  if (!p) return;
  const auto at = reinterpret_cast<uintptr_t>(p);
  const uintptr_t begin = (at + kHuge - 1) & ~(kHuge - 1), end = (at + kBytes) & ~(kHuge - 1);
  if (end > begin) (void)madvise(static_cast<char*>(p) + (begin - at), end - begin, MADV_HUGEPAGE);
  free(p);
}

}  // namespace

// An exception that escapes (bad_alloc) ends the command through terminate()
// before anything is half-applied: transactions commit by one flip.
int main(int argc, char** argv) {  // NOLINT(bugprone-exception-escape)
  keep_freed_memory();
  heap_in_huge_pages();
  CLI::App app{"xlb: an XDP layer-4 load balancer"};
  Invocation inv;
  define_options(app, inv);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    return option_error(e, argc, argv, inv.opts);
  }
  inv.words = app.remaining();
  lift_flags(inv);
  if (inv.opts.pretty) inv.opts.json = true;
  Context ctx(inv.opts);
  ctx.command_line = quote_command_line(std::vector<std::string>(argv, argv + argc));
  if (inv.check && inv.file.empty())
    return exit_code(usage_error("-c checks a file: use it with -f FILE"), ctx);
  if (inv.diff && !inv.check)
    return exit_code(usage_error("--diff shows what a file would change: use -c --diff -f FILE"),
                     ctx);
  if (!inv.file.empty() || inv.interactive) {
    if (!inv.words.empty())
      return exit_code(usage_error("unexpected command words with " +
                                   std::string(inv.interactive ? "-i" : "-f")),
                       ctx);
    if (inv.interactive) return run_shell(ctx);
    return exit_code(apply_file(inv.file, inv.check, ctx, inv.diff), ctx);
  }
  return run_words(inv, ctx);
}
