#include "net/local_addrs.hpp"

#include <netlink/route/addr.h>
#include <netlink/route/rtnl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "net/netlink.hpp"

namespace xlb {

namespace {

struct CacheDeleter {
  void operator()(nl_cache* c) const { nl_cache_free(c); }
};

// The address of one rtnl_addr, if it is one xlb-decap should accept.
std::optional<IpAddr> usable(rtnl_addr* a) {
  if (rtnl_addr_get_scope(a) >= RT_SCOPE_HOST) return std::nullopt;
  nl_addr* local = rtnl_addr_get_local(a);
  if (!local) return std::nullopt;
  IpAddr ip;
  int family = nl_addr_get_family(local);
  size_t len = nl_addr_get_len(local);
  if (family == AF_INET && len == 4) {
    ip.family = XLB_AF_INET;
  } else if (family == AF_INET6 && len == 16) {
    ip.family = XLB_AF_INET6;
  } else {
    return std::nullopt;
  }
  std::memcpy(ip.bytes.data(), nl_addr_get_binary_addr(local), len);
  return ip;
}

}  // namespace

Result<std::vector<IpAddr>> local_addresses() {
  auto s = route_socket();
  if (!s) return s.error();
  nl_cache* raw = nullptr;
  int err = rtnl_addr_alloc_cache(s->get(), &raw);
  if (err < 0) return runtime_error(std::string("cannot list the addresses: ") + nl_geterror(err));
  std::unique_ptr<nl_cache, CacheDeleter> cache(raw);
  std::vector<IpAddr> out;
  for (nl_object* o = nl_cache_get_first(raw); o; o = nl_cache_get_next(o))
    if (auto ip = usable(reinterpret_cast<rtnl_addr*>(o))) out.push_back(*ip);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace xlb
