// flows list|count|flush|expire|get
#include <set>

#include "handlers.hpp"
#include "state/flows.hpp"

namespace xlb::cli {

namespace {

struct FlowMatcher {
  std::set<uint32_t> services;  // empty: any
  std::set<uint32_t> backends;  // empty: any
  bool any_service = true, any_backend = true;
  bool operator()(const Flow& f) const {
    return (any_service || services.count(f.service_id)) &&
           (any_backend || backends.count(f.backend_id));
  }
};

Result<FlowMatcher> make_matcher(const Config& cfg, const cmd::FlowFilter& f) {
  FlowMatcher m;
  const Service* only = nullptr;
  if (f.service) {
    auto s = find_service(cfg, *f.service);
    if (!s) return s.error();
    only = *s;
    m.any_service = false;
    m.services.insert(only->id);
  }
  if (f.backend) {
    m.any_backend = false;
    for (const auto& s : cfg.services)
      if (!only || only == &s)
        if (const Backend* b = s.find_backend(*f.backend)) m.backends.insert(b->id);
    if (m.backends.empty()) return runtime_error("no such backend: " + f.backend->str());
  }
  return m;
}

struct Names {
  std::map<uint32_t, std::string> services, backends;
};

Names names_of(const Config& cfg) {
  Names n;
  for (const auto& s : cfg.services) {
    n.services[s.id] = s.name;
    for (const auto& b : s.backends) n.backends[b.id] = b.addr.str();
  }
  return n;
}

std::string endpoint_text(const json& f, const char* addr, const char* port) {
  return Endpoint{*IpAddr::parse(f[addr].get<std::string>()), f[port]}.str();
}

std::string flows_text(const json& m) {
  std::string out = "Prot " + pad("Client", 46) + " " + pad("VIP", 46) + " " + pad("Backend", 40) +
                    " " + pad("State", 11) + "   Age\n";
  for (const auto& f : m["flows"]) {
    out += pad(f["proto"].get<std::string>() == "tcp" ? "TCP" : "UDP", 4) + " " +
           pad(endpoint_text(f, "client", "client_port"), 46) + " " +
           pad(endpoint_text(f, "vip", "vip_port"), 46) + " " +
           pad(f["backend"].get<std::string>(), 40) + " " + pad(f["state"].get<std::string>(), 11) +
           rpad(std::to_string(f["age"].get<uint32_t>()) + "s", 6) + "\n";
  }
  return out;
}

json flow_view(const Flow& f, const Names& n) {
  auto be = n.backends.find(f.backend_id);
  auto sv = n.services.find(f.service_id);
  return json{{"proto", to_string(f.proto)},
              {"client", f.client.str()},
              {"client_port", f.client_port},
              {"vip", f.vip.str()},
              {"vip_port", f.vip_port},
              {"service", sv == n.services.end() ? "" : sv->second},
              {"backend", be == n.backends.end() ? "(gone)" : be->second},
              {"state", to_string(f.state)},
              {"age", f.age_seconds},
              {"timeout", f.timeout}};
}

struct Loaded {
  State state;
  Config cfg;
  FlowMatcher match;
};

Result<Loaded> load(Context& ctx, const cmd::FlowFilter& f) {
  auto st = open_state(ctx);
  if (!st) return st.error();
  auto cfg = st->read();
  if (!cfg) return cfg.error();
  auto m = make_matcher(*cfg, f);
  if (!m) return m.error();
  return Loaded{std::move(*st), std::move(*cfg), *m};
}

}  // namespace

Status handle(const cmd::FlowsList& c, Context& ctx) {
  auto l = load(ctx, c.filter);
  if (!l) return l.error();
  auto flows = list_flows(l->state.maps());
  if (!flows) return flows.error();
  Names names = names_of(l->cfg);
  json list = json::array();
  for (const auto& f : *flows)
    if (l->match(f)) list.push_back(flow_view(f, names));
  ctx.out.print(json{{"flows", list}}, flows_text);
  return {};
}

Status handle(const cmd::FlowsCount& c, Context& ctx) {
  auto l = load(ctx, c.filter);
  if (!l) return l.error();
  auto flows = list_flows(l->state.maps());
  if (!flows) return flows.error();
  uint64_t n = 0;
  for (const auto& f : *flows) n += l->match(f);
  ctx.out.print(json{{"flows", n}}, [](const json& m) { return m["flows"].dump() + "\n"; });
  return {};
}

Status handle(const cmd::FlowsFlush& c, Context& ctx) {
  auto l = load(ctx, c.filter);
  if (!l) return l.error();
  auto n = flush_flows(l->state.maps(), l->match);
  if (!n) return n.error();
  ctx.out.print(json{{"flushed", *n}},
                [](const json& m) { return "flushed " + m["flushed"].dump() + " flows\n"; });
  return {};
}

Status handle(const cmd::FlowsExpire&, Context& ctx) {
  auto st = open_state(ctx);
  if (!st) return st.error();
  auto r = expire_flows(st->maps());
  if (!r) return r.error();
  ctx.out.print(json{{"expired", r->expired}, {"stale", r->stale}}, [](const json& m) {
    return "removed " + m["expired"].dump() + " expired and " + m["stale"].dump() +
           " stale flows\n";
  });
  return {};
}

}  // namespace xlb::cli
