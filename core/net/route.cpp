#include "net/route.hpp"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "base/sys_error.hpp"

namespace xlb {

namespace {

struct Request {
  nlmsghdr nh;
  rtmsg rt;
  char attrs[64];
};

void add_attr(Request& req, int type, const void* data, int len) {
  auto* rta =
      reinterpret_cast<rtattr*>(reinterpret_cast<char*>(&req) + NLMSG_ALIGN(req.nh.nlmsg_len));
  rta->rta_type = type;
  rta->rta_len = RTA_LENGTH(len);
  std::memcpy(RTA_DATA(rta), data, len);
  req.nh.nlmsg_len = NLMSG_ALIGN(req.nh.nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

Request make_request(const IpAddr& dst, int oif) {
  Request req{};
  int alen = dst.is_v6() ? 16 : 4;
  req.nh.nlmsg_type = RTM_GETROUTE;
  req.nh.nlmsg_flags = NLM_F_REQUEST;
  req.nh.nlmsg_seq = 1;
  req.rt.rtm_family = dst.is_v6() ? AF_INET6 : AF_INET;
  req.rt.rtm_dst_len = alen * 8;
  req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(rtmsg));
  add_attr(req, RTA_DST, dst.bytes.data(), alen);
  if (oif) add_attr(req, RTA_OIF, &oif, sizeof(oif));
  return req;
}

Result<RouteInfo> parse_reply(const char* buf, ssize_t len, const IpAddr& dst) {
  auto* nh = reinterpret_cast<const nlmsghdr*>(buf);
  if (!NLMSG_OK(nh, len)) return runtime_error("route lookup: short netlink reply");
  if (nh->nlmsg_type == NLMSG_ERROR) {
    int err = -reinterpret_cast<const nlmsgerr*>(NLMSG_DATA(nh))->error;
    return sys_error("no route to " + dst.str(), err);
  }
  RouteInfo info;
  info.source.family = dst.family;
  auto* rt = reinterpret_cast<const rtmsg*>(NLMSG_DATA(nh));
  int alen = dst.is_v6() ? 16 : 4;
  int left = RTM_PAYLOAD(nh);
  for (auto* a = RTM_RTA(rt); RTA_OK(a, left); a = RTA_NEXT(a, left)) {
    if (a->rta_type == RTA_OIF) std::memcpy(&info.ifindex, RTA_DATA(a), sizeof(int));
    if (a->rta_type == RTA_PREFSRC && static_cast<int>(RTA_PAYLOAD(a)) == alen)
      std::memcpy(info.source.bytes.data(), RTA_DATA(a), alen);
    if (a->rta_type == RTA_GATEWAY && static_cast<int>(RTA_PAYLOAD(a)) == alen) {
      IpAddr gw;
      gw.family = dst.family;
      std::memcpy(gw.bytes.data(), RTA_DATA(a), alen);
      info.gateway = gw;
    }
  }
  if (!info.ifindex) return runtime_error("no route to " + dst.str());
  return info;
}

}  // namespace

Result<RouteInfo> route_get(const IpAddr& dst, int oif) { return RouteLookup().get(dst, oif); }

RouteLookup& RouteLookup::operator=(RouteLookup&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) close(fd_);
    fd_ = std::exchange(o.fd_, -1);
    seq_ = o.seq_;
    cache_ = std::move(o.cache_);
  }
  return *this;
}

RouteLookup::~RouteLookup() {
  if (fd_ >= 0) close(fd_);
}

// Replies come in request order; one whose sequence number is not ours
// (an earlier request's, if ever) is skipped.
Result<RouteInfo> RouteLookup::get(const IpAddr& dst, int oif) {
  auto key = std::make_pair(dst, oif);
  auto hit = cache_.find(key);
  if (hit != cache_.end()) return hit->second;
  auto r = ask(dst, oif);
  cache_.emplace(key, r);
  return r;
}

Result<RouteInfo> RouteLookup::ask(const IpAddr& dst, int oif) {
  if (fd_ < 0) fd_ = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd_ < 0) return sys_error("netlink");
  Request req = make_request(dst, oif);
  req.nh.nlmsg_seq = ++seq_;
  char buf[4096];
  if (send(fd_, &req, req.nh.nlmsg_len, 0) < 0) return sys_error("route lookup");
  for (int tries = 0; tries < 8; tries++) {
    ssize_t n = recv(fd_, buf, sizeof(buf), 0);
    if (n < 0) return sys_error("route lookup");
    auto* nh = reinterpret_cast<const nlmsghdr*>(buf);
    if (NLMSG_OK(nh, n) && nh->nlmsg_seq != seq_) continue;
    return parse_reply(buf, n, dst);
  }
  return runtime_error("route lookup: no reply to the request");
}

}  // namespace xlb
