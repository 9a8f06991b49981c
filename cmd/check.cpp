// check list (the edits go through edit.cpp).
#include "model/check.hpp"

#include "handlers.hpp"
#include "state/view.hpp"

namespace xlb::cli {

namespace {

json check_view(const Service& s, const Check& c, size_t index) {
  json j{{"service", s.name},
         {"index", index},
         {"type", to_string(c.type)},
         {"port", check_port(s, c)},
         {"interval_ms", c.interval_ms},
         {"timeout_ms", c.timeout_ms},
         {"rise", c.rise},
         {"fall", c.fall},
         {"path", c.path},
         {"expect", std::to_string(c.expect_lo) + "-" + std::to_string(c.expect_hi)},
         {"host", c.host}};
  return j;
}

std::string details(const json& c) {
  std::string d;
  auto t = parse_check_type(c["type"].get<std::string>());
  if (check_has_path(*t))
    d += "path " + c["path"].get<std::string>() + " expect " + c["expect"].get<std::string>();
  if (check_has_host(*t) && !c["host"].get<std::string>().empty())
    d += std::string(d.empty() ? "" : " ") + "host " + c["host"].get<std::string>();
  return d;
}

std::string checks_text(const json& model) {
  std::string out = pad("Service", 16) + " " + pad("#", 3) + " " + pad("Type", 6) + " " +
                    pad("Port", 5) + " Interval Timeout Rise Fall Details\n";
  for (const auto& c : model["checks"]) {
    std::string row = pad(c["service"].get<std::string>(), 16) + " " + pad(c["index"].dump(), 3) +
                      " " + pad(c["type"].get<std::string>(), 6) + " " + pad(c["port"].dump(), 5) +
                      " " + pad(format_duration_ms(c["interval_ms"]), 8) + " " +
                      pad(format_duration_ms(c["timeout_ms"]), 7) + " " + pad(c["rise"].dump(), 4) +
                      " " + pad(c["fall"].dump(), 4) + " " + details(c);
    out += row.substr(0, row.find_last_not_of(' ') + 1) + "\n";
  }
  return out;
}

}  // namespace

Status handle(const cmd::CheckList& c, Context& ctx) {
  auto st = open_state(ctx);
  if (!st) return st.error();
  auto cfg = st->read();
  if (!cfg) return cfg.error();
  auto services = select_services(*cfg, c.ref);
  if (!services) return services.error();
  json list = json::array();
  for (const Service* s : *services)
    for (size_t i = 0; i < s->checks.size(); i++)
      list.push_back(check_view(*s, s->checks[i], i + 1));
  ctx.out.print(json{{"checks", list}}, checks_text);
  return {};
}

}  // namespace xlb::cli
