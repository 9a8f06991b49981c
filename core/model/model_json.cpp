// The model as JSON: what the store keeps (as CBOR) between commands. Ids are
// part of it, so flows keep naming the same backends across commands.
#include <nlohmann/json.hpp>

#include "model/model.hpp"

namespace xlb {

using nlohmann::json;

namespace {

json backend_json(const Backend& b) {
  return json{{"addr", b.addr.str()},
              {"weight", b.weight},
              {"mac", b.mac.str()},
              {"mac_explicit", b.mac_explicit},
              {"dev", b.dev},
              {"vlan", b.vlan},
              {"priority", b.priority},
              {"admin", to_string(b.admin)},
              {"health", to_string(b.health)},
              {"unresolved", b.unresolved},
              {"id", b.id},
              {"cookie", b.cookie}};
}

json check_json(const Check& c) {
  return json{{"type", to_string(c.type)},
              {"port", c.port},
              {"path", c.path},
              {"expect_lo", c.expect_lo},
              {"expect_hi", c.expect_hi},
              {"host", c.host},
              {"interval_ms", c.interval_ms},
              {"timeout_ms", c.timeout_ms},
              {"rise", c.rise},
              {"fall", c.fall}};
}

Result<Check> check_from(const json& j) {
  Check c;
  auto t = parse_check_type(j.at("type").get<std::string>());
  if (!t) return runtime_error("store: bad check type " + j.at("type").dump());
  c.type = *t;
  c.port = j.at("port").get<uint16_t>();
  c.path = j.at("path").get<std::string>();
  c.expect_lo = j.at("expect_lo").get<uint16_t>();
  c.expect_hi = j.at("expect_hi").get<uint16_t>();
  c.host = j.at("host").get<std::string>();
  c.interval_ms = j.at("interval_ms").get<uint32_t>();
  c.timeout_ms = j.at("timeout_ms").get<uint32_t>();
  c.rise = j.at("rise").get<uint32_t>();
  c.fall = j.at("fall").get<uint32_t>();
  return c;
}

json service_json(const Service& s) {
  json bes = json::array();
  for (const auto& b : s.backends) bes.push_back(backend_json(b));
  json checks = json::array();
  for (const auto& c : s.checks) checks.push_back(check_json(c));
  return json{{"name", s.name},
              {"proto", to_string(s.proto)},
              {"vip", s.vip.str()},
              {"port", s.port},
              {"sched", to_string(s.sched)},
              {"ring", s.ring},
              {"forward", to_string(s.forward)},
              {"forward_port", s.forward_port},
              {"backends", bes},
              {"checks", checks},
              {"need", s.need},
              {"panic", s.panic},
              {"panics", s.panics},
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
  if (!mac) return runtime_error("store: bad MAC address of backend " + b.addr.str());
  b.mac = *mac;
  b.mac_explicit = j.at("mac_explicit").get<bool>();
  b.dev = j.value("dev", std::string());  // absent in stores written before next hops
  b.vlan = j.value("vlan", uint16_t{0});
  b.priority = j.value("priority", 0u);  // absent in stores written before tiers
  const auto admin = j.at("admin").get<std::string>();
  const auto health = j.at("health").get<std::string>();
  if ((admin != "enabled" && admin != "disabled") || (health != "up" && health != "down"))
    return runtime_error("store: bad state of backend " + b.addr.str());
  b.admin = admin == "disabled" ? Admin::disabled : Admin::enabled;
  b.health = health == "down" ? Health::down : Health::up;
  b.unresolved = j.value("unresolved", false);  // absent in stores written before it existed
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
  s.forward_port = j.value("forward_port", uint16_t{0});
  s.id = j.at("id").get<uint32_t>();
  s.ring_slot = j.at("ring_slot").get<uint32_t>();
  for (const auto& bj : j.at("backends")) {
    auto b = backend_from(bj);
    if (!b) return b.error();
    s.backends.push_back(*b);
  }
  // Stores written before checks existed have neither key.
  s.need = j.value("need", 1u);
  s.panic = j.value("panic", 0u);  // absent in stores written before it existed
  s.panics = j.value("panics", 0u);
  for (const auto& cj : j.value("checks", json::array())) {
    auto c = check_from(cj);
    if (!c) return c.error();
    s.checks.push_back(*c);
  }
  return s;
}

}  // namespace

json settings_json(const Settings& st) {
  json j{{"seed", st.seed}};
  auto put = [&](const char* k, const std::optional<IpAddr>& a) {
    if (a) j[k] = a->str();
  };
  put("source4", st.source4);
  put("source6", st.source6);
  put("gateway4", st.gateway4);
  put("gateway6", st.gateway6);
  if (st.nat4) j["nat4"] = st.nat4->str();
  if (st.nat6) j["nat6"] = st.nat6->str();
  j["timeouts"] = {
      {"tcp", st.timeouts.tcp}, {"tcp_syn", st.timeouts.tcp_syn}, {"udp", st.timeouts.udp}};
  j["flow_guard"] = st.flow_guard;
  return j;
}

namespace {

// Optional prefixes: absent means "the default".
Status prefix_from(const json& settings, const char* key, std::optional<IpPrefix>& out) {
  if (!settings.contains(key)) return {};
  auto p = IpPrefix::parse(settings.at(key).get<std::string>());
  if (!p) return runtime_error(std::string("store: bad ") + key);
  out = *p;
  return {};
}

// Stores written before timeouts and the flow guard existed have the
// defaults.
void timeouts_from(const json& j, Settings& st) {
  if (j.contains("timeouts")) {
    const json& t = j.at("timeouts");
    st.timeouts.tcp = t.value("tcp", st.timeouts.tcp);
    st.timeouts.tcp_syn = t.value("tcp_syn", st.timeouts.tcp_syn);
    st.timeouts.udp = t.value("udp", st.timeouts.udp);
  }
  st.flow_guard = j.value("flow_guard", st.flow_guard);
}

// Unset addresses are absent (stores written before they existed, too).
Status settings_from(const json& j, Settings& st) {
  st.seed = j.at("seed").get<uint32_t>();
  for (auto [k, field] :
       {std::pair{"source4", &st.source4}, std::pair{"source6", &st.source6},
        std::pair{"gateway4", &st.gateway4}, std::pair{"gateway6", &st.gateway6}}) {
    if (!j.contains(k)) continue;
    auto a = addr_from(j.at(k));
    if (!a) return a.error();
    *field = *a;
  }
  XLB_TRY(prefix_from(j, "nat4", st.nat4));
  XLB_TRY(prefix_from(j, "nat6", st.nat6));
  timeouts_from(j, st);
  return {};
}

}  // namespace

void to_json(json& j, const Config& c) {
  json svcs = json::array();
  for (const auto& s : c.services) svcs.push_back(service_json(s));
  json filters = json::array();
  for (const auto& r : c.filters) filters.push_back(filter_json(r));
  j = json{{"abi", XLB_ABI_VERSION},
           {"filters", filters},
           {"settings", settings_json(c.settings)},
           {"next_cookie", c.next_cookie},
           {"services", svcs}};
}

Result<Config> config_from_json(const json& j) {
  try {
    Config c;
    XLB_TRY(settings_from(j.at("settings"), c.settings));
    c.next_cookie = j.at("next_cookie").get<uint32_t>();
    for (const auto& sj : j.at("services")) {
      auto s = service_from(sj);
      if (!s) return s.error();
      c.services.push_back(std::move(*s));
    }
    for (const auto& fj : j.value("filters", json::array())) {  // absent before filters
      auto r = filter_from_json(fj);
      if (!r) return r.error();
      c.filters.push_back(*r);
    }
    return c;
  } catch (const json::exception& e) {
    return runtime_error(std::string("store: malformed model: ") + e.what());
  }
}

}  // namespace xlb
