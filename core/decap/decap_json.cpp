// The -j encoding of `decap list`.
#include <nlohmann/json.hpp>

#include "decap/decap.hpp"

namespace xlb {

using nlohmann::json;

namespace {

json devices_json(const DecapStatus& st) {
  json out = json::array();
  for (const auto& d : st.devices)
    out.push_back({{"name", d.dev},
                   {"ifindex", d.ifindex},
                   {"mode", d.mode},
                   {"prog_id", d.prog_id},
                   {"link_id", d.link_id},
                   {"gue_port", d.ports.gue},
                   {"fou_port", d.ports.fou}});
  return out;
}

json addresses_json(const DecapStatus& st) {
  json out = json::array();
  for (const auto& a : st.addresses)
    out.push_back(
        {{"address", a.addr.str()}, {"netlink", a.from_netlink}, {"explicit", a.is_explicit}});
  return out;
}

}  // namespace

void to_json(json& j, const DecapStatus& st) {
  json counters = json::object();
  for (int i = 0; i < XLB_DC_COUNT; i++) counters[decap_counter_name(i)] = st.counters[i];
  j = json{
      {"devices", devices_json(st)}, {"addresses", addresses_json(st)}, {"counters", counters}};
}

}  // namespace xlb
