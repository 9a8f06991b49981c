#include "net/route.hpp"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "base/sys_error.hpp"

namespace xlb {

namespace {

// A route reply is a few hundred bytes; a longer one is truncated, and
// left to get().
constexpr size_t kReplyMax = 1024;

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
    batch_ = o.batch_;
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

bool RouteLookup::open_socket() {
  if (fd_ < 0) fd_ = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  return fd_ >= 0;
}

Result<RouteInfo> RouteLookup::ask(const IpAddr& dst, int oif) {
  if (!open_socket()) return sys_error("netlink");
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

void RouteLookup::prefetch(const std::vector<Key>& keys) {
  std::vector<Key> todo;
  for (const auto& k : keys)
    if (!cache_.count(k)) todo.push_back(k);
  std::sort(todo.begin(), todo.end());
  todo.erase(std::unique(todo.begin(), todo.end()), todo.end());
  const std::span<const Key> all(todo);
  for (size_t i = 0; i < all.size(); i += batch_)
    if (!ask_batch(all.subspan(i, std::min(batch_, all.size() - i)))) return;
}

// One send of the batch's requests (sequence numbers seq_ + 1 on) and the
// read of their replies. A batch that comes back short closes the socket:
// its late replies must not reach a later ask().
bool RouteLookup::ask_batch(std::span<const Key> keys) {
  if (!open_socket()) return false;
  std::vector<char> out;
  const uint32_t first_seq = seq_ + 1;
  for (const auto& [dst, oif] : keys) {
    Request req = make_request(dst, oif);
    req.nh.nlmsg_seq = ++seq_;
    const char* bytes = reinterpret_cast<const char*>(&req);
    out.insert(out.end(), bytes, bytes + NLMSG_ALIGN(req.nh.nlmsg_len));
  }
  const bool whole = send(fd_, out.data(), out.size(), 0) == static_cast<ssize_t>(out.size()) &&
                     read_batch(keys, first_seq) == keys.size();
  if (!whole) {
    close(fd_);
    fd_ = -1;
  }
  return whole;
}

// Takes the batch's replies off the socket, as many per recvmmsg as are
// queued, into the cache by sequence number; returns how many it stored.
size_t RouteLookup::read_batch(std::span<const Key> keys, uint32_t first_seq) {
  const size_t n = keys.size();
  std::vector<char> buf(n * kReplyMax);
  std::vector<iovec> iov(n);
  std::vector<mmsghdr> msgs(n);
  size_t stored = 0;
  while (stored < n) {
    for (size_t i = 0; i < n; i++) {
      iov[i] = {buf.data() + i * kReplyMax, kReplyMax};
      msgs[i] = mmsghdr{};
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    const int got = recvmmsg(fd_, msgs.data(), n - stored, MSG_DONTWAIT, nullptr);
    if (got <= 0) break;
    for (int i = 0; i < got; i++) {
      const char* reply = buf.data() + i * kReplyMax;
      const auto* nh = reinterpret_cast<const nlmsghdr*>(reply);
      const ssize_t len = msgs[i].msg_len;
      const uint32_t at = NLMSG_OK(nh, len) ? nh->nlmsg_seq - first_seq : n;
      if (at >= n || (msgs[i].msg_hdr.msg_flags & MSG_TRUNC))
        continue;  // another batch's, or cut short
      cache_.emplace(keys[at], parse_reply(reply, len, keys[at].first));
      stored++;
    }
  }
  return stored;
}

}  // namespace xlb
