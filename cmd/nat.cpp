// nat list: the health-check NAT addresses, as the live bank has them.
#include "handlers.hpp"
#include "state/view.hpp"

namespace xlb::cli {

namespace {

std::string nat_row(const NatRowView& v) {
  const NatRow& r = v.row;
  return pad(r.nat.str(), 24) + " " + pad(r.service, 16) + " " + pad(to_string(r.proto), 4) + " " +
         pad(Endpoint{r.vip, r.port}.str(), 28) + " " + pad(r.backend.str(), 24) + " " +
         pad(v.egress, 10) + " " + (r.ifindex ? r.source.str() : "-") + "\n";
}

std::string nat_text(const NatListView& v) {
  std::string out = "NAT ranges: " + v.nat4.str() + ", " + v.nat6.str() + " via " + v.port + "\n";
  out += pad("NAT address", 24) + " " + pad("Service", 16) + " Prot " + pad("VIP:Port", 28) + " " +
         pad("Backend", 24) + " " + pad("Egress", 10) + " Source\n";
  for (const auto& r : v.rows) out += nat_row(r);
  return out;
}

}  // namespace

Status handle(const cmd::NatList&, Context& ctx) {
  auto st = open_state(ctx);
  if (!st) return st.error();
  auto v = nat_list_view(*st, ctx.opts.numeric);
  if (!v) return v.error();
  ctx.out.show(*v, nat_text);
  return {};
}

}  // namespace xlb::cli
