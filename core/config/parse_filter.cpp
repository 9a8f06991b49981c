// filter add|del|list: the filter stage's rules (model/filter.hpp).
#include "config/parser.hpp"

namespace xlb::parse {

namespace {

// PREFIX, or a bare address (a host: /32 or /128).
Result<IpPrefix> read_prefix(Cursor& c) {
  if (c.done()) return c.missing("source prefix");
  if (auto p = IpPrefix::parse(c.peek())) {
    c.next();
    return *p;
  }
  if (auto a = IpAddr::parse(c.peek())) {
    c.next();
    return IpPrefix{*a, static_cast<uint8_t>(a->is_v6() ? 128 : 32)};
  }
  return c.error("invalid prefix '" + c.peek() + "' (expected ADDR/LEN)");
}

Status read_src(Cursor& c, FilterRule& r, bool any_allowed) {
  if (c.done() || c.peek() != "src") return c.error("expected 'src PREFIX'");
  c.next();
  if (any_allowed && !c.done() && c.peek() == "any") {
    c.next();
    return {};
  }
  auto p = read_prefix(c);
  if (!p) return p.error();
  r.src = *p;
  return {};
}

Status read_drop_option(const std::string& kw, Cursor& c, FilterRule& r) {
  if (kw == "dst") {
    auto e = read_endpoint(c);
    if (!e) return e.error();
    r.dst = e->addr;
    r.port = e->port;
    return {};
  }
  if (c.done()) return c.missing("protocol (tcp, udp or icmp)");
  auto p = parse_filter_proto(c.peek());
  if (!p) return c.error("invalid protocol '" + c.peek() + "' (expected tcp, udp or icmp)");
  c.next();
  r.proto = *p;
  return {};
}

Status read_rate(Cursor& c, FilterRule& r) {
  auto n = read_uint(c, "rate", 1, XLB_FILTER_MAX_RATE);
  if (!n) return n.error();
  r.rate = *n;
  if (c.done()) return c.missing("rate unit (pps or bps)");
  if (c.peek() != "pps" && c.peek() != "bps")
    return c.error("invalid rate unit '" + c.peek() + "' (expected pps or bps)");
  r.unit = c.next() == "pps" ? RateUnit::pps : RateUnit::bps;
  return {};
}

Status read_per(Cursor& c, FilterRule& r) {
  if (c.done()) return c.missing("bucket key length (/32, /24, /64 or /48)");
  const std::string w = c.peek()[0] == '/' ? c.peek().substr(1) : c.peek();
  auto n = parse_uint(w, 0, 128);
  if (!n || (*n != 32 && *n != 24 && *n != 64 && *n != 48))
    return c.error("invalid length '" + c.peek() + "' (expected /32, /24, /64 or /48)");
  c.next();
  r.per = static_cast<uint8_t>(*n);
  return {};
}

Status read_limit_option(const std::string& kw, Cursor& c, FilterRule& r) {
  if (kw == "rate") return read_rate(c, r);
  if (kw == "per") return read_per(c, r);
  auto n = read_uint(c, "burst", 1, XLB_FILTER_MAX_RATE);
  if (!n) return n.error();
  r.burst = *n;
  return {};
}

// RULE := drop src PREFIX [dst VIP[:PORT]] [proto P]
//       | limit src PREFIX|any rate N pps|bps [burst N] [per /L]
// For del, a limit's rate may be left out (the key is the source).
Result<FilterRule> read_rule(Cursor& c, bool for_del) {
  FilterRule r;
  if (c.done()) return c.missing("rule kind (drop or limit)");
  auto kind = match_prefix(c.peek(), {"drop", "limit"});
  if (!kind) return c.error("invalid rule kind '" + c.peek() + "' (expected drop or limit)");
  c.next();
  r.kind = *kind == "drop" ? FilterKind::drop : FilterKind::limit;
  XLB_TRY(read_src(c, r, r.kind == FilterKind::limit));
  if (r.kind == FilterKind::drop) {
    XLB_TRY(read_options(c, {"dst", "proto"}, [&](const std::string& kw, Cursor& cc) {
      return read_drop_option(kw, cc, r);
    }));
  } else {
    const int at = c.pos();
    XLB_TRY(read_options(c, {"rate", "burst", "per"}, [&](const std::string& kw, Cursor& cc) {
      return read_limit_option(kw, cc, r);
    }));
    if (!for_del && r.rate == 0) return c.error_at(at, "a limit needs 'rate N pps|bps'");
    if (for_del && r.rate == 0) r.rate = 1;  // only the key counts
  }
  Status v = validate_filter(r);
  if (!v) return usage_error(v.error().message, c.pos());
  return r;
}

Result<Command> parse_filter_del(Cursor& c) {
  cmd::FilterDel d;
  if (c.done()) return c.missing("rule to delete (INDEX, or its words)");
  if (auto n = parse_uint(c.peek(), 1, XLB_FILTER_MAX_RULES)) {
    c.next();
    XLB_TRY(expect_end(c));
    d.index = static_cast<uint32_t>(*n);
    return Command{d};
  }
  auto r = read_rule(c, true);
  if (!r) return r.error();
  d.rule = *r;
  return Command{d};
}

}  // namespace

Result<Command> parse_filter(Cursor& c) {
  if (c.done()) return Command{cmd::FilterList{}};
  auto verb = read_verb(c, "filter", {"add", "del", "delete", "list", "show", "help"});
  if (!verb) return verb.error();
  if (*verb == "help") return Command{cmd::Help{"filter"}};
  if (*verb == "add") {
    auto r = read_rule(c, false);
    if (!r) return r.error();
    return Command{cmd::FilterAdd{*r}};
  }
  if (*verb == "del" || *verb == "delete") return parse_filter_del(c);
  XLB_TRY(expect_end(c));
  return Command{cmd::FilterList{}};
}

}  // namespace xlb::parse
