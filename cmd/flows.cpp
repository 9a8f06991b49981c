// flows list|count|flush|expire|get
#include <set>

#include "handlers.hpp"
#include "state/flows.hpp"
#include "state/view.hpp"

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

std::string flow_row(const FlowView& v) {
  const Flow& f = v.flow;
  return pad(f.proto == Proto::tcp ? "TCP" : "UDP", 4) + " " +
         pad(Endpoint{f.client, f.client_port}.str(), 46) + " " +
         pad(Endpoint{f.vip, f.vip_port}.str(), 46) + " " + pad(v.backend, 40) + " " +
         pad(to_string(f.state), 11) + rpad(std::to_string(f.age_seconds) + "s", 6) + "\n";
}

std::string flows_text(const FlowListView& v) {
  std::string out = "Prot " + pad("Client", 46) + " " + pad("VIP", 46) + " " + pad("Backend", 40) +
                    " " + pad("State", 11) + "   Age\n";
  for (const auto& f : v.flows) out += flow_row(f);
  return out;
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
  std::vector<Flow> matched;
  for (const auto& f : *flows)
    if (l->match(f)) matched.push_back(f);
  ctx.out.show(flow_list_view(l->cfg, matched), flows_text);
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
  ctx.out.print(json{{"expired", r->expired}, {"stale", r->stale}, {"persist", r->persist}},
                [](const json& m) {
                  return "removed " + m["expired"].dump() + " expired and " + m["stale"].dump() +
                         " stale flows, " + m["persist"].dump() + " persistence entries\n";
                });
  return {};
}

}  // namespace xlb::cli
