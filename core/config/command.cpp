#include "config/command.hpp"

#include <vector>

#include "base/text.hpp"
#include "config/command_table.hpp"
#include "config/parser.hpp"
#include "config/suggest.hpp"

namespace xlb {

namespace cmd {

// Each edit is one pure model operation (model/ops.hpp).
Status ServiceAdd::apply(Config& c) const { return service_add(c, service); }
Status ServiceSet::apply(Config& c) const { return service_set(c, ref, change); }
Status ServiceDel::apply(Config& c) const { return service_del(c, ref); }
Status BackendAdd::apply(Config& c) const { return backend_add(c, ref, backend); }
Status BackendAdmin::apply(Config& c) const { return backend_set_admin(c, ref, addr, admin); }
Status BackendDel::apply(Config& c) const { return backend_del(c, ref, addr); }
Status CheckAdd::apply(Config& c) const { return check_add(c, ref, check); }
Status CheckDel::apply(Config& c) const { return check_del(c, ref, which); }
Status SetSeed::apply(Config& c) const { return settings_set_seed(c, seed); }
Status SetTunnel::apply(Config& c) const { return settings_set_tunnel(c, what, addr); }
Status SetNat::apply(Config& c) const { return settings_set_nat(c, range); }
Status SetTimeout::apply(Config& c) const { return settings_set_timeouts(c, change); }
Status SetFlowGuard::apply(Config& c) const { return settings_set_flow_guard(c, per_second); }
Status FilterAdd::apply(Config& c) const { return filter_add(c.filters, rule); }
Status FilterDel::apply(Config& c) const { return filter_del(c.filters, rule, index); }
Status SetIcmpEcho::apply(Config& c) const { return settings_set_icmp_echo(c, on); }

Status BackendSet::apply(Config& c) const {
  if (weight) XLB_TRY(backend_set_weight(c, ref, addr, *weight));
  if (mac) XLB_TRY(backend_set_mac(c, ref, addr, *mac));
  if (dev || vlan) XLB_TRY(backend_set_egress(c, ref, addr, dev, vlan));
  if (priority) XLB_TRY(backend_set_priority(c, ref, addr, *priority));
  return {};
}

Status FlushRuleset::apply(Config& c) const {
  flush_ruleset(c);
  return {};
}

}  // namespace cmd

namespace {

std::string object_suggestion(const std::string& word) {
  std::vector<const char*> names;
  for (const auto& s : command_specs())
    if (names.empty() || std::string_view(names.back()) != s.object) names.push_back(s.object);
  return did_you_mean(word, names);
}

}  // namespace

Result<Command> parse_command(std::span<const std::string> words) {
  // Words from argv or the shell are any bytes; what is stored must be text.
  for (size_t i = 0; i < words.size(); i++)
    if (auto bad = text_problem(words[i]))
      return usage_error("argument " + std::to_string(i + 1) + " is not text: " + *bad,
                         static_cast<int>(i));
  parse::Cursor c(words);
  if (c.done()) return c.missing("command (try: xlb help)");
  if (c.peek() == "help") return Command{cmd::Help{}};
  const CommandSpec* obj = find_object(c.peek());
  // The global options come first, so a dash word here is an unknown one.
  if (!obj && c.peek().size() > 1 && c.peek()[0] == '-')
    return c.error("unknown option '" + c.peek() + "' (try: xlb --help)");
  if (!obj)
    return c.error("unknown object '" + c.peek() + "'" + object_suggestion(c.peek()) +
                   " (try: xlb help)");
  c.next();
  return obj->parse(c);
}

bool is_config_edit(const Command& c) {
  return std::visit([](const auto& x) { return ConfigEdit<std::decay_t<decltype(x)>>; }, c);
}

Status apply_edit(Config& c, const Command& command) {
  return std::visit(
      [&](const auto& x) -> Status {
        if constexpr (ConfigEdit<std::decay_t<decltype(x)>>)
          return x.apply(c);
        else
          return usage_error("not a configuration command");
      },
      command);
}

}  // namespace xlb
