// service add|set|del|list|show
#include "config/parser.hpp"

#include "model/maglev.hpp"
#include "model/timeouts.hpp"

namespace xlb::parse {

namespace {

constexpr const char* kMethods = "dsr, ipip, gre, gue or fou";

// forward METHOD [port P]: the port only for the UDP encapsulations.
Status read_forward(Cursor& c, ServiceChange& ch) {
  if (c.done()) return c.missing(std::string("forwarding method (") + kMethods + ")");
  ch.forward = parse_forward(c.peek());
  if (!ch.forward)
    return c.error("invalid forwarding method '" + c.peek() + "' (expected " + kMethods + ")");
  c.next();
  if (c.done() || c.peek() != "port") return {};
  if (!takes_port(*ch.forward))
    return c.error("forward " + to_string(*ch.forward) + " takes no port (only gue and fou do)");
  c.next();
  auto port = read_uint(c, "outer UDP port", 1, 65535);
  if (!port) return port.error();
  ch.forward_port = static_cast<uint16_t>(*port);
  return {};
}

// "ring size 65536 is not a prime (nearest: 65521 or 65537)".
std::string not_prime(uint64_t r) {
  std::string near;
  for (uint64_t p = r - 1; p >= XLB_RING_MIN; p--)
    if (is_prime(p)) {
      near = std::to_string(p);
      break;
    }
  for (uint64_t p = r + 1; p <= XLB_RING_MAX; p++)
    if (is_prime(p)) {
      near += (near.empty() ? "" : " or ") + std::to_string(p);
      break;
    }
  return "ring size " + std::to_string(r) + " is not a prime (nearest: " + near + ")";
}

// panic P% (the % may be left out): 0% turns it off.
Status read_panic(Cursor& c, ServiceChange& ch) {
  if (c.done()) return c.missing("panic threshold (0% to 100% of the enabled backends)");
  std::string_view w = c.peek();
  if (w.size() > 1 && w.back() == '%') w.remove_suffix(1);
  auto p = parse_uint(w, 0, 100);
  if (!p) return c.error("invalid panic threshold '" + c.peek() + "' (expected 0% to 100%)");
  c.next();
  ch.panic = static_cast<uint32_t>(*p);
  return {};
}

// persist D|off: D as the flow timeouts (300, 5m, ...); off or 0 removes it.
Status read_persist(Cursor& c, ServiceChange& ch) {
  if (c.done()) return c.missing("persistence timeout (e.g. 300, 5m, or off)");
  if (c.peek() == "off" || c.peek() == "0") {
    ch.persist = 0;
  } else {
    ch.persist = parse_timeout(c.peek());
    if (!ch.persist)
      return c.error("invalid persistence timeout '" + c.peek() +
                     "' (expected seconds, or a number with s, m, h or d; 1s to " +
                     format_timeout(kMaxFlowTimeout) + "; or off)");
  }
  c.next();
  return {};
}

// PORTS := PORT[-PORT][,PORTS], read as one set.
Result<PortSet> read_port_set(Cursor& c, const std::string& text) {
  std::string why;
  auto set = parse_ports(text, &why);
  if (!set) return c.error("invalid ports '" + text + "': " + why);
  return *set;
}

// VIP:PORTS split into the VIP and the ports when the ports are several or
// a range (192.0.2.10:80,443 or [2001:db8::10]:8000-8099); else nullopt.
std::optional<std::pair<std::string, std::string>> split_ports(const std::string& w) {
  size_t colon = w.starts_with('[') ? w.find("]:") : w.find(':');
  if (colon == std::string::npos) return std::nullopt;
  if (w.starts_with('['))
    colon++;
  else if (w.rfind(':') != colon)
    return std::nullopt;  // a bare IPv6 address
  std::string ports = w.substr(colon + 1);
  if (ports.find_first_of(",-") == std::string::npos) return std::nullopt;
  return std::pair{w.substr(0, colon), ports};
}

// ADDR/LEN[:PORTS] or [IPv6/LEN][:PORTS] split into prefix and ports; the
// ports are empty when absent, nullopt when the word is malformed.
std::optional<std::pair<std::string, std::string>> split_prefix(const std::string& w) {
  if (!w.starts_with('[')) {
    const size_t colon = w.find(':');
    if (colon == std::string::npos) return std::pair{w, std::string()};
    return std::pair{w.substr(0, colon), w.substr(colon + 1)};
  }
  const size_t close = w.find(']');
  if (close == std::string::npos) return std::nullopt;
  const std::string rest = w.substr(close + 1);
  if (!rest.empty() && (rest.size() < 2 || rest[0] != ':')) return std::nullopt;
  return std::pair{w.substr(1, close - 1), rest.empty() ? rest : rest.substr(1)};
}

// A prefix VIP (192.0.2.0/28:80): every address of it is a VIP.
Status read_prefix_vip(Cursor& c, Service& s) {
  const std::string& w = c.peek();
  auto split = split_prefix(w);
  auto p = split ? IpPrefix::parse(split->first) : std::nullopt;
  if (!p || p->addr.is_v6() != w.starts_with('['))
    return c.error("invalid VIP prefix '" + w +
                   "' (expected ADDR/LEN[:PORTS] or [IPv6/LEN][:PORTS])");
  if (p->addr != IpAddr::parse(split->first.substr(0, split->first.find('/'))))
    return c.error("VIP prefix " + split->first + " has host bits set (" + p->str() + "?)");
  if (p->len == 0) return c.error("a VIP prefix of length 0 would take every address");
  if (!split->second.empty()) {
    auto set = read_port_set(c, split->second);
    if (!set) return set.error();
    s.set_ports(*set);
  }
  c.next();
  s.vip = p->addr;
  s.vip_len = p->len == (p->addr.is_v6() ? 128 : 32) ? 0 : p->len;
  return {};
}

// VIP[:PORT], VIP:PORTS or a prefix VIP.
Status read_vip_ports(Cursor& c, Service& s) {
  if (!c.done() && c.peek().find('/') != std::string::npos) return read_prefix_vip(c, s);
  auto split = c.done() ? std::nullopt : split_ports(c.peek());
  auto ep = split ? Endpoint::parse(split->first) : std::nullopt;
  if (!ep) {
    auto one = read_endpoint(c);
    if (!one) return one.error();
    s.vip = one->addr;
    s.port = one->port;
    return {};
  }
  auto set = read_port_set(c, split->second);
  if (!set) return set.error();
  c.next();
  s.vip = ep->addr;
  s.set_ports(*set);
  return {};
}

Status read_service_option(const std::string& kw, Cursor& c, ServiceChange& ch) {
  if (kw == "ports") {
    if (c.done()) return c.missing("ports (PORT, PORT-PORT, or a list of them: 80,443,8000-8099)");
    auto set = read_port_set(c, c.peek());
    if (!set) return set.error();
    c.next();
    ch.ports = *set;
  } else if (kw == "sched") {
    if (c.done()) return c.missing("scheduler (mh or sh)");
    ch.sched = parse_sched(c.peek());
    if (!ch.sched) return c.error("invalid scheduler '" + c.peek() + "' (expected mh or sh)");
    c.next();
  } else if (kw == "ring") {
    int at = c.pos();
    auto r = read_uint(c, "ring size", XLB_RING_MIN, XLB_RING_MAX);
    if (!r) return r.error();
    if (!is_prime(*r)) return c.error_at(at, not_prime(*r));
    ch.ring = *r;
  } else if (kw == "need") {
    auto n = read_uint(c, "need (healthy backends to announce the VIP)", 0, kMaxNeed);
    if (!n) return n.error();
    ch.need = static_cast<uint32_t>(*n);
  } else if (kw == "panic") {
    XLB_TRY(read_panic(c, ch));
  } else if (kw == "persist") {
    XLB_TRY(read_persist(c, ch));
  } else if (kw == "weights") {
    if (c.done()) return c.missing("weights (static, flows or response)");
    ch.weights = parse_weight_mode(c.peek());
    if (!ch.weights)
      return c.error("invalid weights '" + c.peek() + "' (expected static, flows or response)");
    c.next();
  } else {
    XLB_TRY(read_forward(c, ch));
  }
  return {};
}

Status read_service_options(Cursor& c, ServiceChange& ch) {
  return read_options(
      c, {"sched", "ring", "forward", "need", "panic", "weights", "persist"},
      [&](const std::string& kw, Cursor& cur) { return read_service_option(kw, cur, ch); });
}

// service set also changes the ports (service add has them in its VIP).
Status read_service_set_options(Cursor& c, ServiceChange& ch) {
  return read_options(
      c, {"sched", "ring", "forward", "need", "panic", "weights", "persist", "ports"},
      [&](const std::string& kw, Cursor& cur) { return read_service_option(kw, cur, ch); });
}

Result<Command> parse_add_verb(Cursor& c) {
  cmd::ServiceAdd add;
  Service& s = add.service;
  auto name = read_word(c, "service name");
  if (!name) return name.error();
  if (parse_proto(*name)) return c.error_at(c.pos() - 1, "a service name cannot be a protocol");
  s.name = *name;
  auto proto = read_proto(c);
  if (!proto) return proto.error();
  s.proto = *proto;
  XLB_TRY(read_vip_ports(c, s));
  ServiceChange ch;
  XLB_TRY(read_service_options(c, ch));
  if (ch.sched) s.sched = *ch.sched;
  if (ch.ring) s.ring = *ch.ring;
  if (ch.forward) s.forward = *ch.forward, s.forward_port = ch.forward_port;
  if (ch.need) s.need = *ch.need;
  if (ch.panic) s.panic = *ch.panic;
  if (ch.weights) s.weights = *ch.weights;
  if (ch.persist) s.persist = *ch.persist;
  return Command{add};
}

Result<Command> parse_set_verb(Cursor& c) {
  cmd::ServiceSet set;
  auto ref = read_service_ref(c);
  if (!ref) return ref.error();
  set.ref = *ref;
  if (c.done())
    return c.missing(
        "what to change (sched, ring, forward, need, panic, weights, persist or ports)");
  XLB_TRY(read_service_set_options(c, set.change));
  return Command{set};
}

Result<Command> parse_del_verb(Cursor& c) {
  auto ref = read_service_ref(c);
  if (!ref) return ref.error();
  XLB_TRY(expect_end(c));
  return Command{cmd::ServiceDel{*ref}};
}

Result<Command> parse_list_verb(Cursor& c) {
  auto ref = read_optional_service_ref(c);
  if (!ref) return ref.error();
  return Command{cmd::ServiceList{*ref}};
}

}  // namespace

Result<Command> parse_service(Cursor& c) {
  if (c.done()) return parse_list_verb(c);
  auto verb = read_verb(c, "service", {"add", "set", "del", "delete", "list", "show", "help"});
  if (!verb) return verb.error();
  if (*verb == "add") return parse_add_verb(c);
  if (*verb == "set") return parse_set_verb(c);
  if (*verb == "del" || *verb == "delete") return parse_del_verb(c);
  if (*verb == "help") return Command{cmd::Help{"service"}};
  return parse_list_verb(c);
}

}  // namespace xlb::parse
