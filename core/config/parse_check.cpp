// check add|del|list
#include "config/parser.hpp"
#include "model/check.hpp"

namespace xlb::parse {

namespace {

Result<uint32_t> read_duration(Cursor& c, const std::string& what) {
  if (c.done()) return c.missing(what);
  auto ms = parse_duration_ms(c.peek());
  if (!ms)
    return c.error("invalid " + what + " '" + c.peek() +
                   "' (expected a duration like 500ms, 2s or 1m, at most 1h)");
  c.next();
  return *ms;
}

Status read_expect(Cursor& c, Check& ch) {
  if (c.done()) return c.missing("status range (LO-HI, e.g. 200-299)");
  const std::string& w = c.peek();
  auto dash = w.find('-');
  auto lo = parse_uint(w.substr(0, dash), 100, 599);
  auto hi = dash == std::string::npos ? lo : parse_uint(w.substr(dash + 1), 100, 599);
  if (!lo || !hi || *lo > *hi)
    return c.error("invalid status range '" + w +
                   "' (expected LO-HI within 100-599, e.g. 200-299)");
  ch.expect_lo = static_cast<uint16_t>(*lo);
  ch.expect_hi = static_cast<uint16_t>(*hi);
  c.next();
  return {};
}

Status read_path(Cursor& c, Check& ch) {
  if (c.done()) return c.missing("path (starting with /)");
  if (c.peek().empty() || c.peek()[0] != '/')
    return c.error("invalid path '" + c.peek() + "' (it must start with /)");
  ch.path = c.next();
  return {};
}

Status read_count(Cursor& c, const std::string& what, uint32_t& out) {
  auto v = read_uint(c, what, 1, 100);
  if (!v) return v.error();
  out = static_cast<uint32_t>(*v);
  return {};
}

Status read_timer(Cursor& c, const std::string& kw, Check& ch) {
  auto d = read_duration(c, kw);
  if (!d) return d.error();
  (kw == "interval" ? ch.interval_ms : ch.timeout_ms) = *d;
  return {};
}

// An option that makes no sense for the type is an error, not ignored.
Status allowed_for(const Cursor& c, const std::string& kw, CheckType t) {
  bool ok = true;
  if (kw == "path" || kw == "expect") ok = check_has_path(t);
  if (kw == "host") ok = check_has_host(t);
  if (!ok)
    return c.error_at(c.pos() - 1,
                      "option '" + kw + "' does not apply to a " + to_string(t) + " check");
  return {};
}

Status read_check_option(const std::string& kw, Cursor& c, Check& ch) {
  XLB_TRY(allowed_for(c, kw, ch.type));
  if (kw == "port") {
    auto p = read_uint(c, "port", 1, 65535);
    if (!p) return p.error();
    ch.port = static_cast<uint16_t>(*p);
    return {};
  }
  if (kw == "path") return read_path(c, ch);
  if (kw == "expect") return read_expect(c, ch);
  if (kw == "host") {
    auto h = read_word(c, "host name");
    if (!h) return h.error();
    ch.host = *h;
    return {};
  }
  if (kw == "interval" || kw == "timeout") return read_timer(c, kw, ch);
  return read_count(c, kw, kw == "rise" ? ch.rise : ch.fall);
}

Result<CheckType> read_check_type(Cursor& c) {
  if (c.done()) return c.missing("check type (tcp, http, https, dns or udp)");
  auto t = parse_check_type(c.peek());
  if (!t)
    return c.error("invalid check type '" + c.peek() + "' (expected tcp, http, https, dns or udp)");
  c.next();
  return *t;
}

Result<Command> parse_add_verb(Cursor& c) {
  cmd::CheckAdd add;
  auto ref = read_service_ref(c);
  if (!ref) return ref.error();
  add.ref = *ref;
  auto t = read_check_type(c);
  if (!t) return t.error();
  add.check.type = *t;
  XLB_TRY(read_options(
      c, {"port", "path", "expect", "host", "interval", "timeout", "rise", "fall"},
      [&](const std::string& kw, Cursor& cur) { return read_check_option(kw, cur, add.check); }));
  return Command{add};
}

Result<CheckSelector> read_selector(Cursor& c) {
  CheckSelector sel;
  if (auto t = parse_check_type(c.peek())) {
    sel.type = *t;
  } else if (auto i = parse_uint(c.peek(), 1, 1000)) {
    sel.index = static_cast<uint32_t>(*i);
  } else {
    return c.error("invalid check '" + c.peek() +
                   "' (expected an index from `xlb check list` or a type)");
  }
  c.next();
  return sel;
}

Result<Command> parse_del_verb(Cursor& c) {
  cmd::CheckDel del;
  auto ref = read_service_ref(c);
  if (!ref) return ref.error();
  del.ref = *ref;
  while (!c.done()) {
    auto sel = read_selector(c);
    if (!sel) return sel.error();
    del.which.push_back(*sel);
  }
  return Command{del};
}

}  // namespace

Result<Command> parse_check(Cursor& c) {
  std::string verb = "list";
  if (!c.done()) {
    auto v = read_verb(c, "check", {"add", "del", "delete", "list", "show", "help"});
    if (!v) return v.error();
    verb = *v;
  }
  if (verb == "add") return parse_add_verb(c);
  if (verb == "del" || verb == "delete") return parse_del_verb(c);
  if (verb == "help") return Command{cmd::Help{"check"}};
  auto ref = read_optional_service_ref(c);
  if (!ref) return ref.error();
  return Command{cmd::CheckList{*ref}};
}

}  // namespace xlb::parse
