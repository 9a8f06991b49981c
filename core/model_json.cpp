// The model as JSON: what the store keeps (as CBOR) between commands. Ids are
// part of it, so flows keep naming the same backends across commands.
#include <nlohmann/json.hpp>

#include "model.hpp"

namespace xlb {

using nlohmann::json;

namespace {

json backend_json(const Backend& b) {
  return json{{"addr", b.addr.str()},
              {"weight", b.weight},
              {"mac", b.mac.str()},
              {"mac_explicit", b.mac_explicit},
              {"admin", to_string(b.admin)},
              {"health", to_string(b.health)},
              {"id", b.id},
              {"cookie", b.cookie}};
}

json service_json(const Service& s) {
  json bes = json::array();
  for (const auto& b : s.backends) bes.push_back(backend_json(b));
  return json{{"name", s.name},
              {"proto", to_string(s.proto)},
              {"vip", s.vip.str()},
              {"port", s.port},
              {"sched", to_string(s.sched)},
              {"ring", s.ring},
              {"forward", to_string(s.forward)},
              {"backends", bes},
              {"id", s.id},
              {"ring_slot", s.ring_slot}};
}

Result<IpAddr> addr_from(const json& j) {
  auto a = IpAddr::parse(j.get<std::string>());
  if (!a) return runtime_error("store: bad address " + j.dump());
  return *a;
}

Result<Backend> backend_from(const json& j) {
  Backend b;
  auto a = addr_from(j.at("addr"));
  if (!a) return a.error();
  b.addr = *a;
  b.weight = j.at("weight").get<uint32_t>();
  auto mac = MacAddr::parse(j.at("mac").get<std::string>());
  if (mac) b.mac = *mac;
  b.mac_explicit = j.at("mac_explicit").get<bool>();
  b.admin = j.at("admin").get<std::string>() == "disabled" ? Admin::disabled : Admin::enabled;
  b.health = j.at("health").get<std::string>() == "down" ? Health::down : Health::up;
  b.id = j.at("id").get<uint32_t>();
  b.cookie = j.at("cookie").get<uint32_t>();
  return b;
}

Result<Service> service_from(const json& j) {
  Service s;
  s.name = j.at("name").get<std::string>();
  auto proto = parse_proto(j.at("proto").get<std::string>());
  auto sched = parse_sched(j.at("sched").get<std::string>());
  auto fwd = parse_forward(j.at("forward").get<std::string>());
  auto vip = addr_from(j.at("vip"));
  if (!proto || !sched || !fwd || !vip) return runtime_error("store: bad service " + s.name);
  s.proto = *proto;
  s.sched = *sched;
  s.forward = *fwd;
  s.vip = *vip;
  s.port = j.at("port").get<uint16_t>();
  s.ring = j.at("ring").get<uint32_t>();
  s.id = j.at("id").get<uint32_t>();
  s.ring_slot = j.at("ring_slot").get<uint32_t>();
  for (const auto& bj : j.at("backends")) {
    auto b = backend_from(bj);
    if (!b) return b.error();
    s.backends.push_back(*b);
  }
  return s;
}

}  // namespace

json settings_json(const Settings& st) {
  json j{{"seed", st.seed}};
  if (st.nat4) j["nat4"] = st.nat4->str();
  if (st.nat6) j["nat6"] = st.nat6->str();
  return j;
}

// Optional prefixes: absent means "the default".
Status prefix_from(const json& settings, const char* key, std::optional<IpPrefix>& out) {
  if (!settings.contains(key)) return {};
  auto p = IpPrefix::parse(settings.at(key).get<std::string>());
  if (!p) return runtime_error(std::string("store: bad ") + key);
  out = *p;
  return {};
}

void to_json(json& j, const Config& c) {
  json svcs = json::array();
  for (const auto& s : c.services) svcs.push_back(service_json(s));
  j = json{{"abi", XLB_ABI_VERSION},
           {"settings", settings_json(c.settings)},
           {"next_cookie", c.next_cookie},
           {"services", svcs}};
}

Result<Config> config_from_json(const json& j) {
  try {
    Config c;
    c.settings.seed = j.at("settings").at("seed").get<uint32_t>();
    XLB_TRY(prefix_from(j.at("settings"), "nat4", c.settings.nat4));
    XLB_TRY(prefix_from(j.at("settings"), "nat6", c.settings.nat6));
    c.next_cookie = j.at("next_cookie").get<uint32_t>();
    for (const auto& sj : j.at("services")) {
      auto s = service_from(sj);
      if (!s) return s.error();
      c.services.push_back(std::move(*s));
    }
    return c;
  } catch (const json::exception& e) {
    return runtime_error(std::string("store: malformed model: ") + e.what());
  }
}

}  // namespace xlb
