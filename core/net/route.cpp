#include "net/route.hpp"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

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

Result<RouteInfo> route_get(const IpAddr& dst, int oif) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) return sys_error("netlink");
  Request req = make_request(dst, oif);
  char buf[4096];
  ssize_t n = -1;
  if (send(fd, &req, req.nh.nlmsg_len, 0) >= 0) n = recv(fd, buf, sizeof(buf), 0);
  int saved = errno;
  close(fd);
  if (n < 0) return sys_error("route lookup", saved);
  return parse_reply(buf, n, dst);
}

}  // namespace xlb
