// Route export, mode (b): blackhole host routes in a kernel table.
#include <netlink/route/route.h>
#include <netlink/route/rtnl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <set>

#include "health/health_export.hpp"

namespace xlb {

namespace {

struct SockFree {
  void operator()(nl_sock* s) const { nl_socket_free(s); }
};
struct CacheFree {
  void operator()(nl_cache* c) const { nl_cache_free(c); }
};
struct RouteFree {
  void operator()(rtnl_route* r) const { rtnl_route_put(r); }
};
struct AddrFree {
  void operator()(nl_addr* a) const { nl_addr_put(a); }
};

std::unique_ptr<nl_addr, AddrFree> to_nl(const IpPrefix& p) {
  const IpAddr& a = p.addr;
  nl_addr* n = nl_addr_build(a.is_v6() ? AF_INET6 : AF_INET, a.bytes.data(), a.is_v6() ? 16 : 4);
  if (n) nl_addr_set_prefixlen(n, p.len);
  return std::unique_ptr<nl_addr, AddrFree>(n);
}

std::unique_ptr<rtnl_route, RouteFree> blackhole(uint32_t table, uint8_t proto, const IpPrefix& p) {
  std::unique_ptr<rtnl_route, RouteFree> r(rtnl_route_alloc());
  auto dst = to_nl(p);
  rtnl_route_set_family(r.get(), p.addr.is_v6() ? AF_INET6 : AF_INET);
  rtnl_route_set_table(r.get(), table);
  rtnl_route_set_protocol(r.get(), proto);
  rtnl_route_set_type(r.get(), RTN_BLACKHOLE);
  rtnl_route_set_scope(r.get(), RT_SCOPE_UNIVERSE);
  rtnl_route_set_dst(r.get(), dst.get());
  return r;
}

std::string nl_error(const char* what, int err) {
  return std::string(what) + ": " + nl_geterror(err);
}

// The VIPs that have a route of ours in the table now.
Result<std::set<IpPrefix>> installed(nl_sock* s, uint32_t table, uint8_t proto) {
  nl_cache* raw = nullptr;
  int err = rtnl_route_alloc_cache(s, AF_UNSPEC, 0, &raw);
  if (err < 0) return runtime_error(nl_error("netlink: route dump", err));
  std::unique_ptr<nl_cache, CacheFree> cache(raw);
  std::set<IpPrefix> out;
  for (nl_object* o = nl_cache_get_first(raw); o; o = nl_cache_get_next(o)) {
    auto* r = reinterpret_cast<rtnl_route*>(o);
    nl_addr* d = rtnl_route_get_dst(r);
    if (rtnl_route_get_table(r) != table || rtnl_route_get_protocol(r) != proto || !d) continue;
    int len = static_cast<int>(nl_addr_get_len(d));
    IpAddr a;
    a.family = len == 16 ? XLB_AF_INET6 : XLB_AF_INET;
    std::memcpy(a.bytes.data(), nl_addr_get_binary_addr(d), std::min(len, 16));
    out.insert(IpPrefix{a, static_cast<uint8_t>(nl_addr_get_prefixlen(d))});
  }
  return out;
}

}  // namespace

Status kernel_routes_sync(uint32_t table, uint8_t proto, const std::vector<IpPrefix>& vips) {
  std::unique_ptr<nl_sock, SockFree> s(nl_socket_alloc());
  if (!s) return runtime_error("netlink: out of memory");
  int err = nl_connect(s.get(), NETLINK_ROUTE);
  if (err < 0) return runtime_error(nl_error("netlink", err));
  auto have = installed(s.get(), table, proto);
  if (!have) return have.error();
  std::set<IpPrefix> want(vips.begin(), vips.end());
  for (const auto& a : want)
    if (!have->count(a) &&
        (err = rtnl_route_add(s.get(), blackhole(table, proto, a).get(), NLM_F_REPLACE)) < 0)
      return runtime_error(nl_error(("netlink: add route " + a.str()).c_str(), err));
  for (const auto& a : *have)
    if (!want.count(a) &&
        (err = rtnl_route_delete(s.get(), blackhole(table, proto, a).get(), 0)) < 0)
      return runtime_error(nl_error(("netlink: delete route " + a.str()).c_str(), err));
  return {};
}

}  // namespace xlb
