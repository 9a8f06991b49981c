#include "state/flows.hpp"

#include <bpf/bpf.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstring>
#include <ctime>

namespace xlb {

namespace {

uint32_t now_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return static_cast<uint32_t>(ts.tv_sec);
}

Flow to_flow(const xlb_flow_key& k, const xlb_flow& v, uint32_t now) {
  Flow f;
  f.proto = k.proto == IPPROTO_UDP ? Proto::udp : Proto::tcp;
  f.client = IpAddr::from_abi(k.src, k.family);
  f.vip = IpAddr::from_abi(k.dst, k.family);
  f.client_port = ntohs(k.sport);
  f.vip_port = ntohs(k.dport);
  f.backend_id = v.backend;
  f.service_id = v.svc_id;
  f.age_seconds = now >= v.last_seen ? now - v.last_seen : 0;
  return f;
}

// Calls fn(key, value) for every flow. Keys are collected first: the
// datapath keeps adding and evicting while we walk.
Status for_each_flow(const Maps& m,
                     const std::function<void(const xlb_flow_key&, const xlb_flow&)>& fn) {
  std::vector<xlb_flow_key> keys;
  xlb_flow_key cur{}, next{};
  const void* prev = nullptr;
  while (bpf_map_get_next_key(m.flows(), prev, &next) == 0) {
    keys.push_back(next);
    cur = next;
    prev = &cur;
  }
  for (const auto& k : keys) {
    xlb_flow v{};
    if (bpf_map_lookup_elem(m.flows(), &k, &v) == 0) fn(k, v);
  }
  return {};
}

}  // namespace

Result<std::vector<Flow>> list_flows(const Maps& m) {
  std::vector<Flow> out;
  uint32_t now = now_seconds();
  XLB_TRY(for_each_flow(
      m, [&](const xlb_flow_key& k, const xlb_flow& v) { out.push_back(to_flow(k, v, now)); }));
  return out;
}

Result<uint64_t> count_flows(const Maps& m) {
  uint64_t n = 0;
  xlb_flow_key cur{}, next{};
  const void* prev = nullptr;
  while (bpf_map_get_next_key(m.flows(), prev, &next) == 0) {
    n++;
    cur = next;
    prev = &cur;
  }
  return n;
}

Result<uint64_t> flush_flows(const Maps& m, const std::function<bool(const Flow&)>& match) {
  uint64_t n = 0;
  uint32_t now = now_seconds();
  XLB_TRY(for_each_flow(m, [&](const xlb_flow_key& k, const xlb_flow& v) {
    if (match(to_flow(k, v, now)) && bpf_map_delete_elem(m.flows(), &k) == 0) n++;
  }));
  return n;
}

}  // namespace xlb
