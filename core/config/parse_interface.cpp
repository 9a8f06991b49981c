// interface attach|detach|list
#include "config/parser.hpp"

namespace xlb::parse {

namespace {

Status read_attach_option(const std::string& kw, Cursor& c, cmd::InterfaceAttach& a) {
  if (kw == "mode") {
    if (c.done()) return c.missing("mode (native or generic)");
    auto m = match_prefix(c.peek(), {"native", "generic"});
    if (!m) return c.error("invalid mode '" + c.peek() + "' (expected native or generic)");
    a.mode = *m;
    c.next();
    return {};
  }
  if (kw == "chain") {
    auto f = read_word(c, "chained program (PINNED_PROG, FILE.o[:PROG] or none)");
    if (!f) return f.error();
    a.chain = *f;
    return {};
  }
  uint64_t hi = kw == "flows" ? (1u << 26) : (1u << 20);
  auto v = read_uint(c, kw + " capacity", 1, hi);
  if (!v) return v.error();
  if (kw == "services") a.caps.services = static_cast<uint32_t>(*v);
  if (kw == "backends") a.caps.backends = static_cast<uint32_t>(*v);
  if (kw == "flows") a.caps.flows = static_cast<uint32_t>(*v);
  return {};
}

Result<Command> parse_attach(Cursor& c) {
  cmd::InterfaceAttach a;
  auto dev = read_word(c, "interface name");
  if (!dev) return dev.error();
  a.dev = *dev;
  XLB_TRY(read_options(
      c, {"mode", "services", "backends", "flows", "chain"},
      [&](const std::string& kw, Cursor& cur) { return read_attach_option(kw, cur, a); }));
  return Command{a};
}

}  // namespace

Result<Command> parse_interface(Cursor& c) {
  if (c.done()) return Command{cmd::InterfaceList{}};
  auto verb = read_verb(c, "interface", {"attach", "detach", "list", "show", "help"});
  if (!verb) return verb.error();
  if (*verb == "attach") return parse_attach(c);
  if (*verb == "help") return Command{cmd::Help{"interface"}};
  if (*verb == "detach") {
    auto dev = read_word(c, "interface name");
    if (!dev) return dev.error();
    XLB_TRY(expect_end(c));
    return Command{cmd::InterfaceDetach{*dev}};
  }
  XLB_TRY(expect_end(c));
  return Command{cmd::InterfaceList{}};
}

}  // namespace xlb::parse
