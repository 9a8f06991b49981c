// The model as JSON: what the store keeps (as CBOR) between commands. Ids are
// part of it, so flows keep naming the same backends across commands.
#include <nlohmann/json.hpp>

#include "model/cbor_out.hpp"
#include "model/cbor_view.hpp"
#include "model/model.hpp"
#include "model/model_cbor.hpp"

namespace xlb {

using nlohmann::json;

namespace {

// v.get<T>() where v's type is a template parameter.
template <class T, class J>
T as(const J& v) {
  return v.template get<T>();
}

json backend_json(const Backend& b) {
  json j{{"addr", b.addr.str()},
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
  if (b.effective_weight) j["effective_weight"] = b.effective_weight;  // dynamic weights only
  return j;
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

template <class J>
Result<Check> check_from(const J& j) {
  Check c;
  auto t = parse_check_type(as<std::string>(j.at("type")));
  if (!t) return runtime_error("store: bad check type " + j.at("type").dump());
  c.type = *t;
  c.port = as<uint16_t>(j.at("port"));
  c.path = as<std::string>(j.at("path"));
  c.expect_lo = as<uint16_t>(j.at("expect_lo"));
  c.expect_hi = as<uint16_t>(j.at("expect_hi"));
  c.host = as<std::string>(j.at("host"));
  c.interval_ms = as<uint32_t>(j.at("interval_ms"));
  c.timeout_ms = as<uint32_t>(j.at("timeout_ms"));
  c.rise = as<uint32_t>(j.at("rise"));
  c.fall = as<uint32_t>(j.at("fall"));
  return c;
}

// Every key of a stored service but "backends".
json service_fields(const Service& s) {
  json checks = json::array();
  for (const auto& c : s.checks) checks.push_back(check_json(c));
  json j{{"name", s.name},
         {"proto", to_string(s.proto)},
         {"vip", s.vip.str()},
         {"port", s.port},
         {"sched", to_string(s.sched)},
         {"ring", s.ring},
         {"forward", to_string(s.forward)},
         {"forward_port", s.forward_port},
         {"checks", checks},
         {"need", s.need},
         {"panic", s.panic},
         {"panics", s.panics},
         {"weights", to_string(s.weights)},
         {"persist", s.persist},
         {"id", s.id},
         {"ring_slot", s.ring_slot}};
  if (!s.ports.empty()) j["ports"] = ports_str(s.ports);  // several ports only
  if (s.vip_len) j["vip_len"] = s.vip_len;                // prefix VIPs only
  return j;
}

json service_json(const Service& s) {
  json bes = json::array();
  for (const auto& b : s.backends) bes.push_back(backend_json(b));
  json j = service_fields(s);
  j["backends"] = std::move(bes);
  return j;
}

// backend_json() written straight as CBOR, keys in to_cbor()'s (sorted)
// order: no tree for the bulk of the model (store_decode_test compares).
void backend_cbor(CborOut& o, const Backend& b) {
  o.map(b.effective_weight ? 13 : 12);
  o.text("addr").text(b.addr.str()).text("admin").text(to_string(b.admin));
  o.text("cookie").uint(b.cookie).text("dev").text(b.dev);
  if (b.effective_weight) o.text("effective_weight").uint(b.effective_weight);
  o.text("health").text(to_string(b.health)).text("id").uint(b.id);
  o.text("mac").text(b.mac.str()).text("mac_explicit").boolean(b.mac_explicit);
  o.text("priority").uint(b.priority).text("unresolved").boolean(b.unresolved);
  o.text("vlan").uint(b.vlan).text("weight").uint(b.weight);
}

void backends_cbor(CborOut& o, const Service& s) {
  o.text("backends").array(s.backends.size());
  for (const auto& b : s.backends) backend_cbor(o, b);
}

// service_json() as CBOR: the few service keys through nlohmann, with
// "backends" written straight where it falls among them.
void service_cbor(CborOut& o, const Service& s) {
  const json fields = service_fields(s);
  o.map(fields.size() + 1);
  bool done = false;
  for (const auto& [k, v] : fields.items()) {
    if (!done && k > "backends") {
      backends_cbor(o, s);
      done = true;
    }
    o.text(k).value(v);
  }
  if (!done) backends_cbor(o, s);
}

template <class J>
Result<IpAddr> addr_from(const J& j) {
  auto a = IpAddr::parse(as<std::string>(j));
  if (!a) return runtime_error("store: bad address " + j.dump());
  return *a;
}

template <class J>
Result<Backend> backend_from(const J& j) {
  // The keys in ascending order, as the encoder writes them: CborView then
  // finds each one a step after the last (10,000 backends per command).
  Backend b;
  auto a = addr_from(j.at("addr"));
  if (!a) return a.error();
  b.addr = *a;
  const auto admin = as<std::string>(j.at("admin"));
  b.cookie = as<uint32_t>(j.at("cookie"));
  b.dev = j.value("dev", std::string());  // absent in stores written before next hops
  b.effective_weight = j.value("effective_weight", 0u);  // absent before dynamic weights
  const auto health = as<std::string>(j.at("health"));
  b.id = as<uint32_t>(j.at("id"));
  auto mac = MacAddr::parse(as<std::string>(j.at("mac")));
  if (!mac) return runtime_error("store: bad MAC address of backend " + b.addr.str());
  b.mac = *mac;
  b.mac_explicit = as<bool>(j.at("mac_explicit"));
  b.priority = j.value("priority", 0u);         // absent in stores written before tiers
  b.unresolved = j.value("unresolved", false);  // absent in stores written before it existed
  b.vlan = j.value("vlan", uint16_t{0});
  b.weight = as<uint32_t>(j.at("weight"));
  if ((admin != "enabled" && admin != "disabled") || (health != "up" && health != "down"))
    return runtime_error("store: bad state of backend " + b.addr.str());
  b.admin = admin == "disabled" ? Admin::disabled : Admin::enabled;
  b.health = health == "down" ? Health::down : Health::up;
  return b;
}

// Several ports, as "80,443,8000-8099" (absent: one port, and in stores
// written before services had several).
template <class J>
Status ports_from(const J& j, Service& s) {
  if (!j.contains("ports")) return {};
  auto ports = parse_ports(as<std::string>(j.at("ports")));
  if (!ports || s.port == 0 || ports->front().lo != s.port || port_count(*ports) < 2)
    return runtime_error("store: bad ports of service " + s.name);
  s.set_ports(*ports);
  return {};
}

template <class J>
Result<Service> service_from(const J& j) {
  Service s;
  s.name = as<std::string>(j.at("name"));
  auto proto = parse_proto(as<std::string>(j.at("proto")));
  auto sched = parse_sched(as<std::string>(j.at("sched")));
  auto fwd = parse_forward(as<std::string>(j.at("forward")));
  auto vip = addr_from(j.at("vip"));
  if (!proto || !sched || !fwd || !vip) return runtime_error("store: bad service " + s.name);
  s.proto = *proto;
  s.sched = *sched;
  s.forward = *fwd;
  s.vip = *vip;
  s.port = as<uint16_t>(j.at("port"));
  s.vip_len = j.value("vip_len", uint8_t{0});  // absent: one address
  XLB_TRY(ports_from(j, s));
  s.ring = as<uint32_t>(j.at("ring"));
  s.forward_port = j.value("forward_port", uint16_t{0});
  s.id = as<uint32_t>(j.at("id"));
  s.ring_slot = as<uint32_t>(j.at("ring_slot"));
  const auto& backends = j.at("backends");
  s.backends.reserve(backends.size());
  for (const auto& bj : backends) {
    auto b = backend_from(bj);
    if (!b) return b.error();
    s.backends.push_back(*b);
  }
  // Stores written before checks existed have neither key.
  s.need = j.value("need", 1u);
  s.panic = j.value("panic", 0u);  // absent in stores written before it existed
  s.panics = j.value("panics", 0u);
  s.persist = j.value("persist", 0u);  // absent in stores written before it existed
  // Absent in stores written before dynamic weights: static.
  auto weights = parse_weight_mode(j.value("weights", std::string("static")));
  if (!weights) return runtime_error("store: bad weights of service " + s.name);
  s.weights = *weights;
  if (j.contains("checks"))
    for (const auto& cj : j.at("checks")) {
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
  j["icmp_echo"] = st.icmp_echo;
  return j;
}

namespace {

// Optional prefixes: absent means "the default".
template <class J>
Status prefix_from(const J& settings, const char* key, std::optional<IpPrefix>& out) {
  if (!settings.contains(key)) return {};
  auto p = IpPrefix::parse(as<std::string>(settings.at(key)));
  if (!p) return runtime_error(std::string("store: bad ") + key);
  out = *p;
  return {};
}

// Stores written before timeouts and the flow guard existed have the
// defaults.
template <class J>
void timeouts_from(const J& j, Settings& st) {
  if (j.contains("timeouts")) {
    const auto& t = j.at("timeouts");
    st.timeouts.tcp = t.value("tcp", st.timeouts.tcp);
    st.timeouts.tcp_syn = t.value("tcp_syn", st.timeouts.tcp_syn);
    st.timeouts.udp = t.value("udp", st.timeouts.udp);
  }
  st.flow_guard = j.value("flow_guard", st.flow_guard);
  st.icmp_echo = j.value("icmp_echo", st.icmp_echo);
}

// Unset addresses are absent (stores written before they existed, too).
template <class J>
Status settings_from(const J& j, Settings& st) {
  st.seed = as<uint32_t>(j.at("seed"));
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

json filters_json(const Config& c) {
  json filters = json::array();
  for (const auto& r : c.filters) filters.push_back(filter_json(r));
  return filters;
}

}  // namespace

void to_json(json& j, const Config& c) {
  json svcs = json::array();
  for (const auto& s : c.services) svcs.push_back(service_json(s));
  j = json{{"abi", XLB_ABI_VERSION},
           {"filters", filters_json(c)},
           {"settings", settings_json(c.settings)},
           {"next_cookie", c.next_cookie},
           {"services", svcs}};
}

// to_cbor(json(c)), byte for byte, without the tree.
std::vector<uint8_t> config_to_cbor(const Config& c) {
  CborOut o;
  o.map(5).text("abi").uint(XLB_ABI_VERSION).text("filters").value(filters_json(c));
  o.text("next_cookie").uint(c.next_cookie).text("services").array(c.services.size());
  for (const auto& s : c.services) service_cbor(o, s);
  o.text("settings").value(settings_json(c.settings));
  return std::move(o.bytes());
}

namespace {

// The one mapping from the stored form, for nlohmann::json and CborView.
template <class J>
Result<Config> config_from(const J& j) {
  try {
    Config c;
    XLB_TRY(settings_from(j.at("settings"), c.settings));
    c.next_cookie = as<uint32_t>(j.at("next_cookie"));
    const auto& services = j.at("services");
    c.services.reserve(services.size());
    for (const auto& sj : services) {
      auto s = service_from(sj);
      if (!s) return s.error();
      c.services.push_back(std::move(*s));
    }
    if (j.contains("filters")) {  // absent before filters
      for (const auto& fj : j.at("filters")) {
        auto r = filter_from_stored(fj);
        if (!r) return r.error();
        c.filters.push_back(*r);
      }
    }
    return c;
  } catch (const json::exception& e) {
    return runtime_error(std::string("store: malformed model: ") + e.what());
  } catch (const CborView::TypeError& e) {
    return runtime_error(std::string("store: malformed model: ") + e.what());
  }
}

}  // namespace

Result<Config> config_from_json(const json& j) { return config_from(j); }

Result<Config> config_from_cbor_view(const CborView& v) { return config_from(v); }

}  // namespace xlb
