// backend add|set|enable|disable|del|list
#include "config/parser.hpp"

namespace xlb::parse {

namespace {

struct BackendOptions {
  std::optional<uint32_t> weight;
  std::optional<MacAddr> mac;
  std::optional<std::string> dev;  // "" for `dev auto`
  std::optional<uint16_t> vlan;
  std::optional<uint32_t> priority;
};

constexpr size_t kMaxIfName = 15;  // IFNAMSIZ - 1

Status read_dev(Cursor& cur, BackendOptions& o) {
  auto dev = read_word(cur, "interface name (or auto)");
  if (!dev) return dev.error();
  if (dev->size() > kMaxIfName || dev->find('/') != std::string::npos)
    return cur.error_at(cur.pos() - 1, "invalid interface name '" + *dev + "'");
  o.dev = *dev == "auto" ? "" : *dev;
  return {};
}

Status read_backend_options(Cursor& c, BackendOptions& o) {
  return read_options(
      c, {"weight", "priority", "mac", "dev", "vlan"},
      [&](const std::string& kw, Cursor& cur) -> Status {
        if (kw == "dev") return read_dev(cur, o);
        if (kw == "vlan") {
          auto v = read_uint(cur, "VLAN id (0: none)", 0, 4094);
          if (!v) return v.error();
          o.vlan = static_cast<uint16_t>(*v);
          return {};
        }
        if (kw == "weight" || kw == "priority") {
          auto n = kw == "weight" ? read_uint(cur, "weight", 0, kMaxWeight)
                                  : read_uint(cur, "priority (0: the first tier)", 0, kMaxPriority);
          if (!n) return n.error();
          (kw == "weight" ? o.weight : o.priority) = static_cast<uint32_t>(*n);
          return {};
        }
        auto m = read_mac(cur);
        if (!m) return m.error();
        if (m->is_zero())
          return cur.error_at(cur.pos() - 1, "MAC address 00:00:00:00:00:00 is not usable");
        o.mac = *m;
        return {};
      });
}

struct Target {
  ServiceRef ref;
  IpAddr addr;
};

// ipvsadm's `-r 198.51.100.3:80` habit: a backend has no port of its own.
Status refuse_backend_port(const Cursor& c) {
  if (c.done() || IpAddr::parse(c.peek())) return {};
  auto ep = Endpoint::parse(c.peek());
  if (!ep || ep->port == 0) return {};
  return c.error("a backend has no port: '" + c.peek() + "' (write " + ep->addr.str() +
                 "; the backend receives the service's port, as with direct return)");
}

Result<Target> read_target(Cursor& c) {
  auto ref = read_service_ref(c);
  if (!ref) return ref.error();
  XLB_TRY(refuse_backend_port(c));
  auto addr = read_addr(c, "backend address");
  if (!addr) return addr.error();
  return Target{*ref, *addr};
}

Result<Command> parse_add_verb(Cursor& c) {
  auto t = read_target(c);
  if (!t) return t.error();
  BackendOptions o;
  XLB_TRY(read_backend_options(c, o));
  cmd::BackendAdd add;
  add.ref = t->ref;
  add.backend.addr = t->addr;
  if (o.weight) add.backend.weight = *o.weight;
  if (o.mac) add.backend.mac = *o.mac, add.backend.mac_explicit = true, add.mac_given = true;
  if (o.dev) add.backend.dev = *o.dev;
  if (o.vlan) add.backend.vlan = *o.vlan;
  if (o.priority) add.backend.priority = *o.priority;
  return Command{add};
}

Result<Command> parse_set_verb(Cursor& c) {
  auto t = read_target(c);
  if (!t) return t.error();
  if (c.done()) return c.missing("what to change (weight, priority, mac, dev or vlan)");
  BackendOptions o;
  XLB_TRY(read_backend_options(c, o));
  // Designated: the optionals convert into each other silently.
  return Command{cmd::BackendSet{.ref = t->ref,
                                 .addr = t->addr,
                                 .weight = o.weight,
                                 .mac = o.mac,
                                 .dev = o.dev,
                                 .vlan = o.vlan,
                                 .priority = o.priority}};
}

Result<Command> parse_admin(Cursor& c, Admin admin) {
  auto t = read_target(c);
  if (!t) return t.error();
  XLB_TRY(expect_end(c));
  return Command{cmd::BackendAdmin{t->ref, t->addr, admin}};
}

Result<Command> parse_del_verb(Cursor& c) {
  auto t = read_target(c);
  if (!t) return t.error();
  XLB_TRY(expect_end(c));
  return Command{cmd::BackendDel{t->ref, t->addr}};
}

Result<Command> parse_list_verb(Cursor& c) {
  auto ref = read_optional_service_ref(c);
  if (!ref) return ref.error();
  return Command{cmd::BackendList{*ref}};
}

Result<Command> parse_refresh_verb(Cursor& c) {
  auto ref = read_optional_service_ref(c);
  if (!ref) return ref.error();
  return Command{cmd::BackendRefresh{*ref}};
}

}  // namespace

Result<Command> parse_backend(Cursor& c) {
  if (c.done()) return parse_list_verb(c);
  auto verb = read_verb(c, "backend",
                        {"add", "set", "enable", "disable", "drain", "del", "delete", "list",
                         "show", "refresh", "help"});
  if (!verb) return verb.error();
  if (*verb == "add") return parse_add_verb(c);
  if (*verb == "set") return parse_set_verb(c);
  if (*verb == "enable") return parse_admin(c, Admin::enabled);
  if (*verb == "disable" || *verb == "drain") return parse_admin(c, Admin::disabled);
  if (*verb == "del" || *verb == "delete") return parse_del_verb(c);
  if (*verb == "help") return Command{cmd::Help{"backend"}};
  if (*verb == "refresh") return parse_refresh_verb(c);
  return parse_list_verb(c);
}

}  // namespace xlb::parse
