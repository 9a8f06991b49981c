// check list (the edits go through edit.cpp).
#include "model/check.hpp"

#include "handlers.hpp"
#include "state/view.hpp"

namespace xlb::cli {

namespace {

std::string details(const Check& c) {
  std::string d;
  if (check_has_path(c.type))
    d += "path " + c.path + " expect " + std::to_string(c.expect_lo) + "-" +
         std::to_string(c.expect_hi);
  if (check_has_host(c.type) && !c.host.empty())
    d += std::string(d.empty() ? "" : " ") + "host " + c.host;
  return d;
}

std::string check_row(const CheckView& v) {
  const Check& c = v.check;
  std::string row =
      pad(v.service, 16) + " " + pad(std::to_string(v.index), 3) + " " + pad(to_string(c.type), 6) +
      " " + pad(std::to_string(v.port), 5) + " " + pad(format_duration_ms(c.interval_ms), 8) + " " +
      pad(format_duration_ms(c.timeout_ms), 7) + " " + pad(std::to_string(c.rise), 4) + " " +
      pad(std::to_string(c.fall), 4) + " " + details(c);
  return row.substr(0, row.find_last_not_of(' ') + 1) + "\n";
}

std::string checks_text(const CheckListView& v) {
  std::string out = pad("Service", 16) + " " + pad("#", 3) + " " + pad("Type", 6) + " " +
                    pad("Port", 5) + " Interval Timeout Rise Fall Details\n";
  for (const auto& c : v.checks) out += check_row(c);
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
  ctx.out.show(check_list_view(*services), checks_text);
  return {};
}

}  // namespace xlb::cli
