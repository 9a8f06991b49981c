#include "config/command.hpp"

#include "config/parser.hpp"

namespace xlb {

namespace {

using Parser = Result<Command> (*)(parse::Cursor&);

struct ObjectEntry {
  const char* name;
  Parser parse;
};

// The table of objects: adding one is a parser file plus a row here.
constexpr ObjectEntry kObjects[] = {
    {"interface", parse::parse_interface},
    {"service", parse::parse_service},
    {"backend", parse::parse_backend},
    {"flows", parse::parse_flows},
    {"stats", parse::parse_stats},
    {"check", parse::parse_check},
    {"nat", parse::parse_nat},
    {"set", parse::parse_set},
    {"list", parse::parse_list},
    {"flush", parse::parse_flush},
    {"import", parse::parse_import},
    {"decap", parse::parse_decap},
};

// Like ip(8): an exact name, else the first object in table order that the
// word is a prefix of, so `xlb s` is service and `xlb f` is flows.
const ObjectEntry* find_object(const std::string& word) {
  if (word.empty()) return nullptr;
  for (const auto& o : kObjects)
    if (word == o.name) return &o;
  for (const auto& o : kObjects)
    if (std::string_view(o.name).substr(0, word.size()) == word) return &o;
  return nullptr;
}

Status apply_backend_set(Config& c, const cmd::BackendSet& s) {
  if (s.weight) XLB_TRY(backend_set_weight(c, s.ref, s.addr, *s.weight));
  if (s.mac) XLB_TRY(backend_set_mac(c, s.ref, s.addr, *s.mac));
  if (s.dev || s.vlan) XLB_TRY(backend_set_egress(c, s.ref, s.addr, s.dev, s.vlan));
  return {};
}

}  // namespace

Result<Command> parse_command(std::span<const std::string> words) {
  parse::Cursor c(words);
  if (c.done()) return c.missing("command (try: xlb help)");
  if (c.peek() == "help") return Command{cmd::Help{}};
  const ObjectEntry* obj = find_object(c.peek());
  // The global options come first, so a dash word here is an unknown one.
  if (!obj && c.peek().size() > 1 && c.peek()[0] == '-')
    return c.error("unknown option '" + c.peek() + "' (try: xlb --help)");
  if (!obj) return c.error("unknown object '" + c.peek() + "' (try: xlb help)");
  c.next();
  return obj->parse(c);
}

bool is_config_edit(const Command& c) {
  return std::holds_alternative<cmd::ServiceAdd>(c) || std::holds_alternative<cmd::ServiceSet>(c) ||
         std::holds_alternative<cmd::ServiceDel>(c) || std::holds_alternative<cmd::BackendAdd>(c) ||
         std::holds_alternative<cmd::BackendSet>(c) ||
         std::holds_alternative<cmd::BackendAdmin>(c) ||
         std::holds_alternative<cmd::BackendDel>(c) || std::holds_alternative<cmd::SetSeed>(c) ||
         std::holds_alternative<cmd::SetTunnel>(c) || std::holds_alternative<cmd::SetNat>(c) ||
         std::holds_alternative<cmd::CheckAdd>(c) || std::holds_alternative<cmd::CheckDel>(c) ||
         std::holds_alternative<cmd::FlushRuleset>(c);
}

Status apply_edit(Config& c, const Command& command) {
  if (auto* a = std::get_if<cmd::ServiceAdd>(&command)) return service_add(c, a->service);
  if (auto* s = std::get_if<cmd::ServiceSet>(&command)) return service_set(c, s->ref, s->change);
  if (auto* d = std::get_if<cmd::ServiceDel>(&command)) return service_del(c, d->ref);
  if (auto* a = std::get_if<cmd::BackendAdd>(&command)) return backend_add(c, a->ref, a->backend);
  if (auto* s = std::get_if<cmd::BackendSet>(&command)) return apply_backend_set(c, *s);
  if (auto* a = std::get_if<cmd::BackendAdmin>(&command))
    return backend_set_admin(c, a->ref, a->addr, a->admin);
  if (auto* d = std::get_if<cmd::BackendDel>(&command)) return backend_del(c, d->ref, d->addr);
  if (auto* a = std::get_if<cmd::CheckAdd>(&command)) return check_add(c, a->ref, a->check);
  if (auto* d = std::get_if<cmd::CheckDel>(&command)) return check_del(c, d->ref, d->which);
  if (auto* s = std::get_if<cmd::SetSeed>(&command)) return settings_set_seed(c, s->seed);
  if (auto* s = std::get_if<cmd::SetTunnel>(&command))
    return settings_set_tunnel(c, s->what, s->addr);
  if (auto* s = std::get_if<cmd::SetNat>(&command)) return settings_set_nat(c, s->range);
  if (std::holds_alternative<cmd::FlushRuleset>(command)) {
    flush_ruleset(c);
    return {};
  }
  return usage_error("not a configuration command");
}

}  // namespace xlb
