// flows get PROTO CLIENT:PORT VIP:PORT: where the next packet of one flow
// goes, and why: its flow entry, or the client's persistence entry, or the
// Maglev table of its service.
#include "handlers.hpp"
#include "state/flows.hpp"

namespace xlb::cli {

namespace {

const char* liveness_name(FlowLiveness l) {
  return l == FlowLiveness::expired ? "expired" : l == FlowLiveness::stale ? "stale" : "live";
}

// The datapath's service for a packet: on its exact VIP or the longest
// prefix VIP that holds it, the exact port, else port 0.
const Service* service_for(const Config& cfg, const cmd::FlowsGet& c) {
  return cfg.service_for(c.proto, c.vip.addr, c.vip.port);
}

const Backend* backend_by_id(const Service& s, uint32_t id) {
  for (const auto& b : s.backends)
    if (b.id == id) return &b;
  return nullptr;
}

void put_backend(json& j, const Service& s, uint32_t id) {
  j["service"] = s.name;
  const Backend* b = backend_by_id(s, id);
  j["backend"] = b ? b->addr.str() : "(gone)";
}

void put_entry(json& j, const Config& cfg, const FlowEntry& e) {
  j["entry"] = liveness_name(e.liveness);
  if (e.liveness != FlowLiveness::live) return;
  j["reason"] = "flow entry";
  j["state"] = to_string(e.flow.state);
  j["age"] = e.flow.age_seconds;
  j["timeout"] = e.flow.timeout;
  for (const auto& s : cfg.services)
    if (s.id == e.flow.service_id) put_backend(j, s, e.flow.backend_id);
}

// A service with persist: the client's persistence entry, when the
// datapath would use it. True when it decides.
Result<bool> put_persist(json& j, const Maps& m, const Service& s, const cmd::FlowsGet& c) {
  if (!s.persist) return false;
  auto p = lookup_persist(m, s, c.client.addr);
  if (!p) return p.error();
  if (!*p) return false;
  j["persisted"] = liveness_name((*p)->liveness);
  if ((*p)->liveness != FlowLiveness::live) return false;
  j["reason"] = "persistence";
  j["age"] = (*p)->age_seconds;
  j["timeout"] = s.persist;
  put_backend(j, s, (*p)->backend_id);
  return true;
}

Status put_table(json& j, const Maps& m, const Config& cfg, const cmd::FlowsGet& c) {
  const Service* s = service_for(cfg, c);
  if (!s) {
    j["reason"] = "no service";
    return {};
  }
  auto persisted = put_persist(j, m, *s, c);
  if (!persisted) return persisted.error();
  if (*persisted) return {};
  auto t = table_choice(m, *s, cfg.settings.seed, flow_key(c.proto, c.client, c.vip));
  if (!t) return t.error();
  j["slot"] = t->slot;
  j["service"] = s->name;
  if (t->backend_id == XLB_NO_BACKEND) {
    j["reason"] = "no usable backend";
    return {};
  }
  j["reason"] = "table slot";
  put_backend(j, *s, t->backend_id);
  return {};
}

std::string why_text(const json& m) {
  std::string r = m["reason"];
  std::string entry = m.value("entry", "none");
  if (r == "flow entry")
    return "its flow entry (" + m["state"].get<std::string>() + ", idle " + m["age"].dump() +
           "s of " + m["timeout"].dump() + "s)";
  std::string before = entry == "none"      ? "no flow entry"
                       : entry == "expired" ? "its flow entry expired"
                                            : "its flow entry names a backend that is gone";
  if (r == "no service") return before + "; no service on this VIP and port: dropped";
  if (r == "persistence")
    return before + "; the client's persistence entry in service " +
           m["service"].get<std::string>() + " (idle " + m["age"].dump() + "s of " +
           m["timeout"].dump() + "s)";
  if (r == "no usable backend")
    return before + "; Maglev table slot " + m["slot"].dump() + " of service " +
           m["service"].get<std::string>() + " has no usable backend: dropped";
  return before + "; Maglev table slot " + m["slot"].dump() + " of service " +
         m["service"].get<std::string>();
}

std::string get_text(const json& m) {
  std::string head = m["proto"].get<std::string>() + " " + m["client"].get<std::string>() + " -> " +
                     m["vip"].get<std::string>() + ": ";
  if (m.contains("backend")) head += "backend " + m["backend"].get<std::string>() + ", by ";
  return head + why_text(m) + "\n";
}

}  // namespace

Status handle(const cmd::FlowsGet& c, Context& ctx) {
  auto st = open_state(ctx);
  if (!st) return st.error();
  auto cfg = st->read();
  if (!cfg) return cfg.error();
  json j{{"proto", to_string(c.proto)}, {"client", c.client.str()}, {"vip", c.vip.str()}};
  auto e = lookup_flow(st->maps(), flow_key(c.proto, c.client, c.vip));
  if (!e) return e.error();
  if (*e) put_entry(j, *cfg, **e);
  if (!*e || (*e)->liveness != FlowLiveness::live) XLB_TRY(put_table(j, st->maps(), *cfg, c));
  ctx.out.print(j, get_text);
  return {};
}

}  // namespace xlb::cli
