#include "sync/flow_table.hpp"

#include <bpf/bpf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <vector>

namespace xlb::sync {

uint32_t monotonic_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return static_cast<uint32_t>(ts.tv_sec);
}

namespace {

// Whether the entry already in the table wins over a peer's seen at `seen`:
// it was seen as recently or later, except that the same placement past
// its handshake (the peer saw the first non-SYN packet) replaces a SYN-only
// entry, whose timeout is short.
bool local_is_newer(const xlb_flow& cur, const FlowRecord& f, const LocalBackend& b,
                    uint32_t seen) {
  if (cur.cookie == 0) return false;
  const bool same = cur.backend == b.id && cur.cookie == b.cookie;
  if (same && (cur.flags & XLB_FLOW_SYN_ONLY) && !(f.flags & XLB_FLOW_SYN_ONLY)) return false;
  return cur.last_seen >= seen;
}

xlb_flow entry_of(const FlowRecord& f, const LocalBackend& b, uint32_t now) {
  xlb_flow e{};
  e.backend = b.id;
  e.cookie = b.cookie;
  e.last_seen = now - std::min<uint32_t>(f.age, now);
  e.flags = f.flags & XLB_FLOW_SYN_ONLY;
  // Not sent straight back: exported again only after an interval.
  e.exported = static_cast<uint16_t>(now);
  return e;
}

// Inserts the entries of keys the table did not have: one batched update,
// or one by one where the kernel has no batch updates.
void insert_new(int flows_fd, const std::vector<xlb_flow_key>& keys,
                const std::vector<xlb_flow>& vals, InstallResult& res) {
  if (keys.empty()) return;
  auto count = static_cast<uint32_t>(keys.size());
  if (bpf_map_update_batch(flows_fd, keys.data(), vals.data(), &count, nullptr) == 0) {
    res.installed += keys.size();
    return;
  }
  for (size_t i = 0; i < keys.size(); i++)
    if (bpf_map_update_elem(flows_fd, &keys[i], &vals[i], BPF_ANY) == 0) res.installed++;
}

}  // namespace

// Most peers' flows are new here: after one lookup each, the new ones go in
// with one batched update per datagram. (A packet that creates the same
// entry between the lookup and the update is overridden by the peer's: the
// window is a system call long.)
InstallResult install_flows(int flows_fd, const Resolver& r, std::span<const FlowRecord> flows,
                            uint32_t now) {
  InstallResult res;
  std::vector<xlb_flow_key> keys;
  std::vector<xlb_flow> vals;
  for (const auto& f : flows) {
    auto b = r.local(f);
    if (!b) {
      res.unknown++;
      continue;
    }
    const xlb_flow e = entry_of(f, *b, now);
    xlb_flow cur{};
    if (bpf_map_lookup_elem(flows_fd, &f.key, &cur) != 0) {
      keys.push_back(f.key);
      vals.push_back(e);
    } else if (local_is_newer(cur, f, *b, e.last_seen)) {
      res.kept_local++;
    } else if (bpf_map_update_elem(flows_fd, &f.key, &e, BPF_ANY) == 0) {
      res.installed++;
    }
  }
  insert_new(flows_fd, keys, vals, res);
  return res;
}

namespace {

Result<xlb_bank> live_bank(const Maps& m) {
  uint32_t zero = 0;
  xlb_ctl ctl{};
  xlb_bank bank{};
  if (bpf_map_lookup_elem(m.ctl(), &zero, &ctl) != 0 ||
      bpf_map_lookup_elem(m.banks(), &ctl.active_bank, &bank) != 0)
    return runtime_error(std::string("read the live bank: ") + std::strerror(errno));
  return bank;
}

}  // namespace

Status walk_live_flows(const Maps& m, const Resolver& r,
                       const std::function<void(const FlowRecord&)>& out) {
  auto bank = live_bank(m);
  if (!bank) return bank.error();
  const uint32_t now = monotonic_seconds();
  constexpr uint32_t kBatch = 4096;
  std::vector<xlb_flow_key> keys(kBatch);
  std::vector<xlb_flow> vals(kBatch);
  xlb_flow_key in{}, next{};
  bool first = true;
  for (;;) {
    uint32_t n = kBatch;
    int rc = bpf_map_lookup_batch(m.flows(), first ? nullptr : &in, &next, keys.data(), vals.data(),
                                  &n, nullptr);
    if (rc != 0 && errno != ENOENT)
      return runtime_error(std::string("read the flow table: ") + std::strerror(errno));
    for (uint32_t i = 0; i < n; i++) {
      const auto& v = vals[i];
      const Identity* id = r.identity(v.backend, v.cookie);
      if (!id) continue;
      if (xlb_flow_expired(&v, xlb_flow_timeout(&*bank, keys[i].proto, v.flags), now)) continue;
      FlowRecord rec;
      rec.key = keys[i];
      rec.svc_port = id->svc_port;
      rec.backend = id->backend;
      rec.flags = v.flags & XLB_FLOW_SYN_ONLY;
      rec.age = static_cast<uint16_t>(std::min<uint32_t>(now - std::min(now, v.last_seen), 65535));
      out(rec);
    }
    if (rc != 0) break;  // ENOENT: that was the last batch
    in = next;
    first = false;
  }
  return {};
}

}  // namespace xlb::sync
