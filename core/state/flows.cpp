#include "state/flows.hpp"

#include <bpf/bpf.h>
#include <netinet/in.h>

#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <ctime>

#include <unordered_map>

#include "xlb_hash.h"

namespace xlb {

std::string to_string(FlowState s) { return s == FlowState::syn ? "syn" : "established"; }

namespace {

Error sys_error(const std::string& what) {
  return runtime_error(what + ": " + std::strerror(errno));
}

uint32_t now_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return static_cast<uint32_t>(ts.tv_sec);
}

// What an entry is judged against: the live bank's timeouts, the backends'
// cookies (read once per backend), the time.
class Judge {
 public:
  static Result<Judge> make(const Maps& m) {
    Judge j(m);
    xlb_ctl ctl{};
    uint32_t zero = 0;
    if (bpf_map_lookup_elem(m.ctl(), &zero, &ctl) != 0) return sys_error("read control word");
    if (bpf_map_lookup_elem(m.banks(), &ctl.active_bank, &j.bank_) != 0)
      return sys_error("read bank settings");
    j.active_bank_ = ctl.active_bank;
    return j;
  }

  Flow flow(const xlb_flow_key& k, const xlb_flow& v) {
    Flow f;
    f.proto = k.proto == IPPROTO_UDP ? Proto::udp : Proto::tcp;
    f.client = IpAddr::from_abi(k.src, k.family);
    f.vip = IpAddr::from_abi(k.dst, k.family);
    f.client_port = ntohs(k.sport);
    f.vip_port = ntohs(k.dport);
    f.backend_id = v.backend;
    f.service_id = backend(v.backend).svc_id;
    f.age_seconds = now_ >= v.last_seen ? now_ - v.last_seen : 0;
    f.timeout = xlb_flow_timeout(&bank_, k.proto, v.flags);
    f.state = v.flags & XLB_FLOW_SYN_ONLY ? FlowState::syn : FlowState::established;
    return f;
  }

  FlowLiveness liveness(const xlb_flow_key& k, const xlb_flow& v) {
    const xlb_backend& be = backend(v.backend);
    if (!v.cookie || be.cookie != v.cookie) return FlowLiveness::stale;
    if (xlb_flow_expired(&v, xlb_flow_timeout(&bank_, k.proto, v.flags), now_))
      return FlowLiveness::expired;
    return FlowLiveness::live;
  }

  // A persistence entry: stale when its backend id names something else
  // now, expired when older than its service's persist D (a service
  // without persist, or gone: at once).
  FlowLiveness liveness(const xlb_persist_key& k, const xlb_persist& v) {
    if (!v.cookie || backend(v.backend).cookie != v.cookie) return FlowLiveness::stale;
    auto d = persist_.find(k.svc_id);
    if (xlb_persist_expired(&v, d == persist_.end() ? 0 : d->second, now_))
      return FlowLiveness::expired;
    return FlowLiveness::live;
  }

  PersistEntry persist_entry(const xlb_persist& v, uint32_t timeout) {
    PersistEntry e{v.backend, now_ >= v.last_seen ? now_ - v.last_seen : 0, FlowLiveness::live};
    const xlb_backend& be = backend(v.backend);
    if (!v.cookie || be.cookie != v.cookie || (be.flags & (XLB_BE_DOWN | XLB_BE_NO_NEW)))
      e.liveness = FlowLiveness::stale;
    else if (xlb_persist_expired(&v, timeout, now_))
      e.liveness = FlowLiveness::expired;
    return e;
  }

  // Reads every live service's persist D (xlb_svcs of the live bank).
  void read_persist_timeouts() {
    xlb_svc_key cur{}, next{};
    const void* prev = nullptr;
    while (bpf_map_get_next_key(maps_.svcs(), prev, &next) == 0) {
      cur = next;
      prev = &cur;
      xlb_svc v{};
      if (cur.bank != active_bank_ || bpf_map_lookup_elem(maps_.svcs(), &cur, &v) != 0) continue;
      if (v.persist && !(v.flags & XLB_SVC_VIP_ENTRY)) persist_[v.id] = v.persist;
    }
  }

 private:
  explicit Judge(const Maps& m) : maps_(m), now_(now_seconds()) {}

  const xlb_backend& backend(uint32_t id) {
    auto it = backends_.find(id);
    if (it != backends_.end()) return it->second;
    xlb_backend be{};
    if (bpf_map_lookup_elem(maps_.backends(), &id, &be) != 0) be = xlb_backend{};
    return backends_.emplace(id, be).first->second;
  }

  const Maps& maps_;
  uint32_t now_;
  uint32_t active_bank_ = 0;
  xlb_bank bank_{};
  std::unordered_map<uint32_t, uint32_t> persist_;  // service id -> persist D
  std::unordered_map<uint32_t, xlb_backend> backends_;
};

// Every key of a hash map. Keys are collected before their values are
// read: the datapath keeps adding and evicting while we walk.
template <typename K>
std::vector<K> map_keys(int fd) {
  std::vector<K> keys;
  K cur{}, next{};
  const void* prev = nullptr;
  while (bpf_map_get_next_key(fd, prev, &next) == 0) {
    keys.push_back(next);
    cur = next;
    prev = &cur;
  }
  return keys;
}

// How many keys a hash map holds, without keeping them.
template <typename K>
uint64_t count_keys(int fd) {
  uint64_t n = 0;
  K cur{}, next{};
  const void* prev = nullptr;
  while (bpf_map_get_next_key(fd, prev, &next) == 0) {
    n++;
    cur = next;
    prev = &cur;
  }
  return n;
}

// Calls fn(key, value) for every entry.
Status for_each_flow(const Maps& m,
                     const std::function<void(const xlb_flow_key&, const xlb_flow&)>& fn) {
  for (const auto& k : map_keys<xlb_flow_key>(m.flows())) {
    xlb_flow v{};
    if (bpf_map_lookup_elem(m.flows(), &k, &v) == 0) fn(k, v);
  }
  return {};
}

}  // namespace

xlb_flow_key flow_key(Proto p, const Endpoint& client, const Endpoint& vip) {
  xlb_flow_key k{};
  k.src = client.addr.to_abi();
  k.dst = vip.addr.to_abi();
  k.sport = htons(client.port);
  k.dport = htons(vip.port);
  k.proto = static_cast<uint8_t>(p);
  k.family = static_cast<uint8_t>(client.addr.family);
  return k;
}

Result<std::vector<Flow>> list_flows(const Maps& m) {
  auto judge = Judge::make(m);
  if (!judge) return judge.error();
  std::vector<Flow> out;
  XLB_TRY(for_each_flow(m, [&](const xlb_flow_key& k, const xlb_flow& v) {
    if (judge->liveness(k, v) == FlowLiveness::live) out.push_back(judge->flow(k, v));
  }));
  return out;
}

Result<uint64_t> count_flows(const Maps& m) { return count_keys<xlb_flow_key>(m.flows()); }

Result<std::optional<FlowEntry>> lookup_flow(const Maps& m, const xlb_flow_key& k) {
  xlb_flow v{};
  if (bpf_map_lookup_elem(m.flows(), &k, &v) != 0) {
    if (errno == ENOENT) return std::optional<FlowEntry>{};
    return sys_error("read flow table");
  }
  auto judge = Judge::make(m);
  if (!judge) return judge.error();
  return std::optional<FlowEntry>{FlowEntry{judge->flow(k, v), judge->liveness(k, v)}};
}

namespace {

// Deletes the persistence entries the datapath would not use: expired,
// stale, or of a service without persist.
void sweep_persist(const Maps& m, Judge& judge, SweepResult& r) {
  judge.read_persist_timeouts();
  for (const auto& k : map_keys<xlb_persist_key>(m.persist())) {
    xlb_persist v{};
    if (bpf_map_lookup_elem(m.persist(), &k, &v) != 0) continue;
    if (judge.liveness(k, v) != FlowLiveness::live && bpf_map_delete_elem(m.persist(), &k) == 0)
      r.persist++;
  }
}

}  // namespace

Result<SweepResult> expire_flows(const Maps& m) {
  auto judge = Judge::make(m);
  if (!judge) return judge.error();
  SweepResult r;
  XLB_TRY(for_each_flow(m, [&](const xlb_flow_key& k, const xlb_flow& v) {
    FlowLiveness l = judge->liveness(k, v);
    if (l == FlowLiveness::live || bpf_map_delete_elem(m.flows(), &k) != 0) return;
    (l == FlowLiveness::expired ? r.expired : r.stale)++;
  }));
  sweep_persist(m, *judge, r);
  return r;
}

Result<std::optional<PersistEntry>> lookup_persist(const Maps& m, const Service& s,
                                                   const IpAddr& client) {
  xlb_persist_key k{};
  k.svc_id = s.id;
  k.family = client.family;
  k.client = client.to_abi();
  xlb_persist v{};
  if (bpf_map_lookup_elem(m.persist(), &k, &v) != 0) {
    if (errno == ENOENT) return std::optional<PersistEntry>{};
    return sys_error("read persistence table");
  }
  auto judge = Judge::make(m);
  if (!judge) return judge.error();
  return std::optional<PersistEntry>{judge->persist_entry(v, s.persist)};
}

Result<uint64_t> count_persist(const Maps& m) { return count_keys<xlb_persist_key>(m.persist()); }

Result<TableChoice> table_choice(const Maps& m, const Service& s, uint32_t seed,
                                 const xlb_flow_key& k) {
  TableChoice c;
  c.slot = xlb_ring_slot(xlb_flow_hash(&k, seed, s.sched == Sched::sh), s.ring);
  uint32_t id = 0;
  if (bpf_map_lookup_elem(m.rings(), &s.ring_slot, &id) != 0)
    return sys_error("read the Maglev table of " + s.name);
  int fd = bpf_map_get_fd_by_id(id);
  if (fd < 0) return sys_error("open the Maglev table of " + s.name);
  int rc = bpf_map_lookup_elem(fd, &c.slot, &c.backend_id);
  close(fd);
  if (rc != 0) return sys_error("read the Maglev table of " + s.name);
  return c;
}

Result<uint64_t> flush_flows(const Maps& m, const std::function<bool(const Flow&)>& match) {
  auto judge = Judge::make(m);
  if (!judge) return judge.error();
  uint64_t n = 0;
  XLB_TRY(for_each_flow(m, [&](const xlb_flow_key& k, const xlb_flow& v) {
    if (match(judge->flow(k, v)) && bpf_map_delete_elem(m.flows(), &k) == 0) n++;
  }));
  return n;
}

}  // namespace xlb
