// flows, stats, set, list, flush, import: the smaller objects.
#include "config/parser.hpp"
#include "model/timeouts.hpp"

namespace xlb::parse {

namespace {

Result<cmd::FlowFilter> read_flow_filter(Cursor& c) {
  cmd::FlowFilter f;
  while (!c.done()) {
    if (c.peek() == "backend") {
      if (f.backend) return c.error("option 'backend' given twice");
      c.next();
      auto a = read_addr(c, "backend address");
      if (!a) return a.error();
      f.backend = *a;
      continue;
    }
    if (f.service) return c.error("unexpected argument '" + c.peek() + "'");
    auto ref = read_service_ref(c);
    if (!ref) return ref.error();
    f.service = *ref;
  }
  return f;
}

// `--rate` and `rate` alike: operators type ipvsadm's spelling.
std::string strip_dashes(const std::string& w) { return w.rfind("--", 0) == 0 ? w.substr(2) : w; }

Status read_stats_word(Cursor& c, cmd::Stats& s) {
  std::string w = strip_dashes(c.peek());
  if (w == "rate" || w == "prometheus" || w == "ipvs-names") {
    (w == "rate" ? s.rate : w == "prometheus" ? s.prometheus : s.ipvs_names) = true;
    c.next();
    return {};
  }
  if (w == "interval" || w == "count") {
    c.next();
    auto v = w == "interval" ? read_uint(c, "interval (ms)", 100, 3600000)
                             : read_uint(c, "count", 1, 1000000000);
    if (!v) return v.error();
    (w == "interval" ? s.interval_ms : s.count.emplace()) = *v;
    return {};
  }
  if (s.ref) return c.error("unexpected argument '" + c.peek() + "'");
  auto ref = read_service_ref(c);
  if (!ref) return ref.error();
  s.ref = *ref;
  return {};
}

Result<Command> parse_stats_reset(Cursor& c) {
  cmd::StatsReset r;
  if (!c.done()) {
    auto ref = read_service_ref(c);
    if (!ref) return ref.error();
    r.ref = *ref;
  }
  XLB_TRY(expect_end(c));
  return Command{r};
}

// CLIENT:PORT or VIP:PORT of flows get: the port is required.
Result<Endpoint> read_flow_endpoint(Cursor& c, const std::string& what) {
  if (c.done()) return c.missing(what + " (ADDR:PORT or [IPv6]:PORT)");
  auto e = Endpoint::parse(c.peek());
  if (!e || e->port == 0)
    return c.error("invalid " + what + " '" + c.peek() + "' (expected ADDR:PORT or [IPv6]:PORT)");
  c.next();
  return *e;
}

Result<Command> parse_flows_get(Cursor& c) {
  auto proto = read_proto(c);
  if (!proto) return proto.error();
  auto client = read_flow_endpoint(c, "client");
  if (!client) return client.error();
  auto vip = read_flow_endpoint(c, "VIP");
  if (!vip) return vip.error();
  if (client->addr.family != vip->addr.family)
    return c.error_at(c.pos() - 1, "client and VIP must be of the same family");
  XLB_TRY(expect_end(c));
  return Command{cmd::FlowsGet{*proto, *client, *vip}};
}

}  // namespace

Result<Command> parse_flows(Cursor& c) {
  std::string verb = "list";
  if (!c.done()) {
    auto v = read_verb(c, "flows", {"list", "show", "count", "flush", "expire", "get", "help"});
    if (!v) return v.error();
    verb = *v;
  }
  if (verb == "help") return Command{cmd::Help{"flows"}};
  if (verb == "get") return parse_flows_get(c);
  if (verb == "expire") {
    XLB_TRY(expect_end(c));
    return Command{cmd::FlowsExpire{}};
  }
  auto f = read_flow_filter(c);
  if (!f) return f.error();
  if (verb == "count") return Command{cmd::FlowsCount{*f}};
  if (verb == "flush") return Command{cmd::FlowsFlush{*f}};
  return Command{cmd::FlowsList{*f}};
}

Result<Command> parse_stats(Cursor& c) {
  if (!c.done() && (c.peek() == "reset" || c.peek() == "help")) {
    if (c.next() == "help") {
      XLB_TRY(expect_end(c));
      return Command{cmd::Help{"stats"}};
    }
    return parse_stats_reset(c);
  }
  cmd::Stats s;
  while (!c.done()) XLB_TRY(read_stats_word(c, s));
  if (s.rate && s.prometheus) return c.error("rate and prometheus do not go together");
  if (s.count && !s.rate) return c.error("count goes with --rate");
  if (s.ipvs_names && !s.prometheus) return c.error("--ipvs-names goes with --prometheus");
  return Command{s};
}

namespace {

// One option of capture; the words are as tcpdump's where it has one (-w).
Status read_capture_word(Cursor& c, cmd::Capture& cap) {
  const std::string w = c.next();
  auto once = [&](bool given) -> Status {
    if (given) return c.error_at(c.pos() - 1, "option '" + w + "' given twice");
    return {};
  };
  if (w == "dev") {
    XLB_TRY(once(cap.dev.has_value()));
    if (c.done()) return c.missing("interface name");
    cap.dev = c.next();
  } else if (w == "count" || w == "snaplen") {
    XLB_TRY(once(w == "count" ? cap.count.has_value() : cap.snaplen != XLB_CAPTURE_SNAP_MAX));
    auto v = w == "count" ? read_uint(c, "count", 1, 1000000000)
                          : read_uint(c, "snaplen", 14, XLB_CAPTURE_SNAP_MAX);
    if (!v) return v.error();
    if (w == "count")
      cap.count = *v;
    else
      cap.snaplen = static_cast<uint32_t>(*v);
  } else if (w == "-w") {
    XLB_TRY(once(cap.file.has_value()));
    if (c.done()) return c.missing("file name (or - for standard output)");
    cap.file = c.next();
  } else if (w == "service") {
    XLB_TRY(once(cap.service.has_value()));
    auto ref = read_service_ref(c);
    if (!ref) return ref.error();
    cap.service = *ref;
  } else if (w == "backend") {
    XLB_TRY(once(cap.backend.has_value()));
    auto a = read_addr(c, "backend address");
    if (!a) return a.error();
    cap.backend = *a;
  } else if (w == "verdict") {
    XLB_TRY(once(cap.verdict.has_value()));
    if (c.done()) return c.missing("verdict (pass, drop, tx, redirect or aborted)");
    auto v = match_prefix(c.peek(), {"pass", "drop", "tx", "redirect", "aborted"});
    if (!v)
      return c.error("unknown verdict '" + c.peek() + "' (pass, drop, tx, redirect or aborted)");
    c.next();
    cap.verdict = *v;
  } else if (w == "reason") {
    XLB_TRY(once(cap.reason.has_value()));
    if (c.done()) return c.missing("drop reason (as in xlb stats: no_service, malformed, ...)");
    cap.reason = c.next();
  } else {
    return c.error_at(c.pos() - 1, "unexpected argument '" + w + "'");
  }
  return {};
}

}  // namespace

Result<Command> parse_capture(Cursor& c) {
  if (!c.done() && c.peek() == "help") {
    c.next();
    XLB_TRY(expect_end(c));
    return Command{cmd::Help{"capture"}};
  }
  cmd::Capture cap;
  while (!c.done()) XLB_TRY(read_capture_word(c, cap));
  if (cap.reason && cap.verdict && *cap.verdict != "drop")
    return c.error("a reason goes with drops (verdict drop)");
  return Command{cap};
}

Result<Command> parse_set_tunnel(Cursor& c, TunnelSetting what) {
  cmd::SetTunnel st{what, std::nullopt};
  const std::string desc = to_string(what) + " address (or none)";
  if (c.done()) return c.missing(desc);
  if (c.peek() == "none") {
    c.next();
  } else {
    auto a = read_addr(c, desc);
    if (!a) return a.error();
    if (a->family != setting_family(what))
      return c.error_at(c.pos() - 1, to_string(what) + " must be an " +
                                         (a->is_v6() ? "IPv4" : "IPv6") + " address");
    st.addr = *a;
  }
  XLB_TRY(expect_end(c));
  return Command{st};
}

// set nat4|nat6 PREFIX. The range must leave room for backends; whether it
// has room for the capacity is checked by the transaction, which knows it.
Result<Command> parse_set_nat(Cursor& c, bool v6) {
  const char* what =
      v6 ? "IPv6 prefix (e.g. fd00:786c:6200::/64)" : "IPv4 prefix (e.g. 198.18.0.0/16)";
  if (c.done()) return c.missing(what);
  auto p = IpPrefix::parse(c.peek());
  if (!p || p->addr.is_v6() != v6)
    return c.error("invalid NAT range '" + c.peek() + "' (expected an " + what + ")");
  if (p->len > (v6 ? 126 : 30)) return c.error("NAT range " + p->str() + " is too small");
  c.next();
  XLB_TRY(expect_end(c));
  return Command{cmd::SetNat{*p}};
}

// set timeout [tcp D] [tcp-syn D] [udp D]: at least one.
Result<Command> parse_set_timeout(Cursor& c) {
  TimeoutChange t;
  XLB_TRY(read_options(c, {"tcp", "tcp-syn", "udp"}, [&](const std::string& kw, Cursor& cur) {
    if (cur.done()) return Status(cur.missing(kw + " timeout (e.g. 900, 15m, 10s)"));
    auto v = parse_timeout(cur.peek());
    if (!v)
      return Status(cur.error("invalid " + kw + " timeout '" + cur.peek() +
                              "' (expected seconds, or a number with s, m, h or d; 1s to " +
                              format_timeout(kMaxFlowTimeout) + ")"));
    cur.next();
    (kw == "tcp" ? t.tcp : kw == "udp" ? t.udp : t.tcp_syn) = *v;
    return Status{};
  }));
  if (t == TimeoutChange{}) return c.missing("timeout to set (tcp, tcp-syn or udp)");
  return Command{cmd::SetTimeout{t}};
}

// set flow-guard N|off
Result<Command> parse_set_flow_guard(Cursor& c) {
  const char* what = "new flows per second per CPU (or off)";
  if (c.done()) return c.missing(what);
  uint32_t n = 0;
  if (c.peek() == "off") {
    c.next();
  } else {
    auto v = read_uint(c, what, 1, UINT32_MAX);
    if (!v) return v.error();
    n = static_cast<uint32_t>(*v);
  }
  XLB_TRY(expect_end(c));
  return Command{cmd::SetFlowGuard{n}};
}

// set icmp-echo on|off
Result<Command> parse_set_icmp_echo(Cursor& c) {
  if (c.done()) return c.missing("on or off");
  if (c.peek() != "on" && c.peek() != "off")
    return c.error("expected on or off, not '" + c.peek() + "'");
  const bool on = c.peek() == "on";
  c.next();
  XLB_TRY(expect_end(c));
  return Command{cmd::SetIcmpEcho{on}};
}

Result<Command> parse_set(Cursor& c) {
  const char* const expected =
      "seed, timeout, flow-guard, icmp-echo, source4, source6, gateway4, gateway6, nat4 or nat6";
  if (c.done()) return c.missing(std::string("setting (") + expected + ")");
  auto what = match_prefix(c.peek(), {"seed", "timeout", "flow-guard", "icmp-echo", "source4",
                                      "source6", "gateway4", "gateway6", "nat4", "nat6", "help"});
  if (!what) return c.error("unknown setting '" + c.peek() + "' (expected " + expected + ")");
  c.next();
  if (*what == "help") return Command{cmd::Help{"set"}};
  if (*what == "timeout") return parse_set_timeout(c);
  if (*what == "flow-guard") return parse_set_flow_guard(c);
  if (*what == "icmp-echo") return parse_set_icmp_echo(c);
  if (auto t = parse_tunnel_setting(*what)) return parse_set_tunnel(c, *t);
  if (*what == "nat4" || *what == "nat6") return parse_set_nat(c, *what == "nat6");
  auto v = read_uint(c, "seed", 0, UINT32_MAX);
  if (!v) return v.error();
  XLB_TRY(expect_end(c));
  return Command{cmd::SetSeed{static_cast<uint32_t>(*v)}};
}

// `xlb OBJECT help` works for every object.
bool wants_help(Cursor& c) {
  if (c.done() || c.peek() != "help") return false;
  c.next();
  return true;
}

Result<Command> parse_list(Cursor& c) {
  if (wants_help(c)) return Command{cmd::Help{"list"}};
  if (c.done()) return c.missing("what to list (ruleset)");
  if (!match_prefix(c.peek(), {"ruleset"}))
    return c.error("unknown list '" + c.peek() + "' (expected ruleset)");
  c.next();
  XLB_TRY(expect_end(c));
  return Command{cmd::ListRuleset{}};
}

Result<Command> parse_flush(Cursor& c) {
  if (wants_help(c)) return Command{cmd::Help{"flush"}};
  if (c.done()) return c.missing("what to flush (ruleset)");
  if (!match_prefix(c.peek(), {"ruleset"}))
    return c.error("unknown flush '" + c.peek() + "' (expected ruleset)");
  c.next();
  XLB_TRY(expect_end(c));
  return Command{cmd::FlushRuleset{}};
}

Result<Command> parse_nat(Cursor& c) {
  if (!c.done()) {
    auto v = read_verb(c, "nat", {"list", "show", "help"});
    if (!v) return v.error();
    if (*v == "help") return Command{cmd::Help{"nat"}};
  }
  XLB_TRY(expect_end(c));
  return Command{cmd::NatList{}};
}

Result<Command> parse_import(Cursor& c) {
  if (wants_help(c)) return Command{cmd::Help{"import"}};
  if (c.done()) return c.missing("what to import (ipvsadm)");
  if (!match_prefix(c.peek(), {"ipvsadm"}))
    return c.error("unknown import format '" + c.peek() + "' (expected ipvsadm)");
  c.next();
  auto file = read_word(c, "file (or - for stdin)");
  if (!file) return file.error();
  XLB_TRY(expect_end(c));
  return Command{cmd::ImportIpvsadm{*file}};
}

}  // namespace xlb::parse
