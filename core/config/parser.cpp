#include "config/parser.hpp"

#include <algorithm>
#include <vector>

#include "config/suggest.hpp"

namespace xlb::parse {

Error Cursor::missing(const std::string& what) const {
  return usage_error("missing " + what, pos());
}

std::optional<std::string> match_prefix(const std::string& word,
                                        std::initializer_list<const char*> choices) {
  if (word.empty()) return std::nullopt;
  std::vector<std::string_view> found;
  for (const char* ch : choices) {
    std::string_view c(ch);
    if (c == word) return std::string(c);
    if (c.substr(0, word.size()) == word) found.push_back(c);
  }
  if (found.empty()) return std::nullopt;
  // Aliases are one verb: `d` is del even though delete starts with it too.
  auto shortest = *std::min_element(found.begin(), found.end(),
                                    [](auto a, auto b) { return a.size() < b.size(); });
  for (auto f : found)
    if (!f.starts_with(shortest)) return std::nullopt;  // ambiguous
  return std::string(shortest);
}

Result<std::string> read_verb(Cursor& c, const std::string& object,
                              std::initializer_list<const char*> verbs) {
  auto verb = match_prefix(c.peek(), verbs);
  if (!verb)
    return c.error("unknown " + object + " command '" + c.peek() + "'" +
                   did_you_mean(c.peek(), {verbs.begin(), verbs.size()}) + " (try: xlb " + object +
                   " help)");
  c.next();
  return *verb;
}

Result<std::string> read_word(Cursor& c, const std::string& what) {
  if (c.done()) return c.missing(what);
  return c.next();
}

Result<uint64_t> read_uint(Cursor& c, const std::string& what, uint64_t lo, uint64_t hi) {
  if (c.done()) return c.missing(what);
  auto v = parse_uint(c.peek(), lo, hi);
  if (!v)
    return c.error("invalid " + what + " '" + c.peek() + "' (expected " + std::to_string(lo) +
                   ".." + std::to_string(hi) + ")");
  c.next();
  return *v;
}

Result<IpAddr> read_addr(Cursor& c, const std::string& what) {
  if (c.done()) return c.missing(what);
  auto a = IpAddr::parse(c.peek());
  if (!a)
    return c.error("invalid " + what + " '" + c.peek() + "' (expected an IPv4 or IPv6 address)");
  c.next();
  return *a;
}

Result<MacAddr> read_mac(Cursor& c) {
  if (c.done()) return c.missing("MAC address");
  auto m = MacAddr::parse(c.peek());
  if (!m) return c.error("invalid MAC address '" + c.peek() + "' (expected xx:xx:xx:xx:xx:xx)");
  c.next();
  return *m;
}

Result<Proto> read_proto(Cursor& c) {
  if (c.done()) return c.missing("protocol (tcp or udp)");
  auto p = parse_proto(c.peek());
  if (!p) return c.error("invalid protocol '" + c.peek() + "' (expected tcp or udp)");
  c.next();
  return *p;
}

namespace {

bool bare_ipv6(const std::string& w) {
  auto a = IpAddr::parse(w);
  return a && a->is_v6();
}

// 2001:db8::11:80 -> "write [2001:db8::11]:80 for port 80, or
// [2001:db8::11:80] for every port of that address".
std::string bracket_hint(const std::string& w) {
  std::string msg = "IPv6 VIP '" + w + "' needs brackets: ";
  size_t colon = w.rfind(':');
  auto port = parse_uint(w.substr(colon + 1), 1, 65535);
  auto host = IpAddr::parse(w.substr(0, colon));
  if (port && host && w.substr(colon + 1).find_first_not_of("0123456789") == std::string::npos)
    msg += "[" + host->str() + "]:" + std::to_string(*port) + " for port " + std::to_string(*port) +
           ", or ";
  return msg + "[" + w + "] for every port";
}

}  // namespace

Result<Endpoint> read_endpoint(Cursor& c) {
  if (c.done()) return c.missing("VIP[:PORT]");
  auto e = Endpoint::parse(c.peek());
  if (!e && bare_ipv6(c.peek())) return c.error(bracket_hint(c.peek()));
  if (!e)
    return c.error("invalid VIP '" + c.peek() + "' (expected ADDR, ADDR:PORT or [IPv6]:PORT)");
  c.next();
  return *e;
}

Result<ServiceRef> read_service_ref(Cursor& c) {
  if (c.done()) return c.missing("service (NAME or PROTO VIP:PORT)");
  ServiceRef ref;
  if (parse_proto(c.peek())) {
    ref.proto = parse_proto(c.next());
    auto ep = read_endpoint(c);
    if (!ep) return ep.error();
    ref.endpoint = *ep;
    return ref;
  }
  // An option in a service's place (`service list --foo`) is a usage error,
  // not a lookup of a service named "--foo".
  if (c.peek().starts_with("-")) return c.error("unknown option '" + c.peek() + "'");
  ref.name = c.next();
  return ref;
}

Result<std::optional<ServiceRef>> read_optional_service_ref(Cursor& c) {
  std::optional<ServiceRef> out;
  if (!c.done()) {
    auto ref = read_service_ref(c);
    if (!ref) return ref.error();
    out = *ref;
  }
  XLB_TRY(expect_end(c));
  return out;
}

Status expect_end(const Cursor& c) {
  if (!c.done()) return c.error("unexpected argument '" + c.peek() + "'");
  return {};
}

}  // namespace xlb::parse

namespace xlb::parse {

Status read_options(Cursor& c, std::initializer_list<const char*> keywords,
                    const std::function<Status(const std::string&, Cursor&)>& handle) {
  std::vector<std::string> seen;
  while (!c.done()) {
    auto kw = match_prefix(c.peek(), keywords);
    if (!kw) {
      std::string list;
      for (const char* k : keywords) list += std::string(list.empty() ? "" : ", ") + k;
      return c.error("unexpected argument '" + c.peek() + "' (expected one of: " + list + ")");
    }
    if (std::find(seen.begin(), seen.end(), *kw) != seen.end())
      return c.error("option '" + *kw + "' given twice");
    seen.push_back(*kw);
    c.next();
    XLB_TRY(handle(*kw, c));
  }
  return {};
}

}  // namespace xlb::parse
