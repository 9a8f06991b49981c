// decap attach|detach|refresh|list
#include "config/parser.hpp"

namespace xlb::parse {

namespace {

Result<std::string> read_mode(Cursor& c) {
  if (c.done()) return c.missing("mode (native or generic)");
  auto m = match_prefix(c.peek(), {"native", "generic"});
  if (!m) return c.error("invalid mode '" + c.peek() + "' (expected native or generic)");
  c.next();
  return *m;
}

Status read_decap_option(const std::string& kw, Cursor& c, cmd::DecapAttach& a) {
  if (kw == "mode") {
    auto m = read_mode(c);
    if (!m) return m.error();
    a.mode = *m;
    return {};
  }
  if (kw == "address") {
    auto addr = read_addr(c, "address");
    if (!addr) return addr.error();
    a.addresses.push_back(*addr);
    return {};
  }
  auto port = read_uint(c, kw, 1, 65535);
  if (!port) return port.error();
  (kw == "gue-port" ? a.gue_port : a.fou_port) = static_cast<uint16_t>(*port);
  return {};
}

// Options as read_options reads them, except that `address` may repeat.
Status read_decap_options(Cursor& c, cmd::DecapAttach& a) {
  std::vector<std::string> seen;
  while (!c.done()) {
    auto kw = match_prefix(c.peek(), {"mode", "gue-port", "fou-port", "address"});
    if (!kw)
      return c.error("unexpected argument '" + c.peek() +
                     "' (expected one of: mode, gue-port, fou-port, address)");
    if (*kw != "address" && std::find(seen.begin(), seen.end(), *kw) != seen.end())
      return c.error("option '" + *kw + "' given twice");
    seen.push_back(*kw);
    c.next();
    XLB_TRY(read_decap_option(*kw, c, a));
  }
  if (a.gue_port && a.fou_port && *a.gue_port == *a.fou_port)
    return usage_error("the GUE and FOU ports must differ", c.pos());
  return {};
}

Result<Command> parse_decap_attach(Cursor& c) {
  cmd::DecapAttach a;
  auto dev = read_word(c, "interface name");
  if (!dev) return dev.error();
  a.dev = *dev;
  XLB_TRY(read_decap_options(c, a));
  return Command{a};
}

}  // namespace

Result<Command> parse_decap(Cursor& c) {
  if (c.done()) return Command{cmd::DecapList{}};
  auto verb = read_verb(c, "decap", {"attach", "detach", "refresh", "list", "show", "help"});
  if (!verb) return verb.error();
  if (*verb == "attach") return parse_decap_attach(c);
  if (*verb == "help") return Command{cmd::Help{"decap"}};
  if (*verb == "detach") {
    auto dev = read_word(c, "interface name");
    if (!dev) return dev.error();
    XLB_TRY(expect_end(c));
    return Command{cmd::DecapDetach{*dev}};
  }
  XLB_TRY(expect_end(c));
  if (*verb == "refresh") return Command{cmd::DecapRefresh{}};
  return Command{cmd::DecapList{}};
}

}  // namespace xlb::parse
