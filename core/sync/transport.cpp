#include "sync/transport.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace xlb::sync {

namespace {

Error sys(const std::string& what) { return runtime_error(what + ": " + std::strerror(errno)); }

// v4 addresses as v4-mapped IPv6 when the socket is IPv6.
SockAddr sockaddr_of(const IpAddr& a, uint16_t port, int family) {
  SockAddr s;
  if (family == AF_INET) {
    auto* in = reinterpret_cast<sockaddr_in*>(&s.ss);
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    std::memcpy(&in->sin_addr, a.bytes.data(), 4);
    s.len = sizeof(*in);
    return s;
  }
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&s.ss);
  in6->sin6_family = AF_INET6;
  in6->sin6_port = htons(port);
  if (a.is_v6()) {
    std::memcpy(&in6->sin6_addr, a.bytes.data(), 16);
  } else {
    in6->sin6_addr.s6_addr[10] = in6->sin6_addr.s6_addr[11] = 0xff;
    std::memcpy(&in6->sin6_addr.s6_addr[12], a.bytes.data(), 4);
  }
  s.len = sizeof(*in6);
  return s;
}

// IPv4 only when every address given is IPv4 (a v4 multicast group needs
// an IPv4 socket); otherwise a dual-stack IPv6 socket.
int family_of(const TransportOptions& o) {
  bool v6 = false;
  for (const auto& p : o.peers) v6 |= p.is_v6();
  if (o.listen) v6 |= o.listen->is_v6();
  if (o.group) v6 = o.group->is_v6();
  return v6 ? AF_INET6 : AF_INET;
}

Status join_group(int fd, int family, const IpAddr& g, unsigned ifindex) {
  const int off = 0, ttl = 1;
  if (family == AF_INET) {
    ip_mreqn m{};
    std::memcpy(&m.imr_multiaddr, g.bytes.data(), 4);
    m.imr_ifindex = static_cast<int>(ifindex);
    if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof(m)) != 0 ||
        setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &m, sizeof(m)) != 0 ||
        setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &off, sizeof(off)) != 0 ||
        setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) != 0)
      return sys("join multicast group " + g.str());
    return {};
  }
  ipv6_mreq m{};
  std::memcpy(&m.ipv6mr_multiaddr, g.bytes.data(), 16);
  m.ipv6mr_interface = ifindex;
  if (setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &m, sizeof(m)) != 0 ||
      setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof(ifindex)) != 0 ||
      setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &off, sizeof(off)) != 0 ||
      setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &ttl, sizeof(ttl)) != 0)
    return sys("join multicast group " + g.str());
  return {};
}

// Large buffers: a bulk sync sends thousands of datagrams at once.
void grow_buffers(int fd) {
  const int bytes = 32 << 20;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) != 0)
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
  if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &bytes, sizeof(bytes)) != 0)
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof(bytes));
}

}  // namespace

Result<Transport> Transport::open(const TransportOptions& o) {
  Transport t;
  const int family = family_of(o);
  t.fd_ = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (t.fd_ < 0) return sys("socket");
  const int on = 1, off = 0;
  (void)setsockopt(t.fd_, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
  if (family == AF_INET6) (void)setsockopt(t.fd_, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
  grow_buffers(t.fd_);
  IpAddr any;
  any.family = family == AF_INET ? XLB_AF_INET : XLB_AF_INET6;
  const SockAddr local = sockaddr_of(o.listen ? *o.listen : any, o.port, family);
  if (bind(t.fd_, reinterpret_cast<const sockaddr*>(&local.ss), local.len) != 0)
    return sys("bind the sync port " + std::to_string(o.port));
  if (o.group) {
    const unsigned ifindex = if_nametoindex(o.dev.c_str());
    if (!ifindex) return sys("no interface " + o.dev);
    XLB_TRY(join_group(t.fd_, family, *o.group, ifindex));
    t.dests_.push_back(sockaddr_of(*o.group, o.port, family));
  }
  for (const auto& p : o.peers) t.dests_.push_back(sockaddr_of(p, o.port, family));
  return t;
}

Transport::Transport(Transport&& o) noexcept : fd_(o.fd_), dests_(std::move(o.dests_)) {
  o.fd_ = -1;
}

Transport::~Transport() {
  if (fd_ >= 0) close(fd_);
}

bool Transport::send_to(const SockAddr& to, std::span<const uint8_t> d) {
  for (int tries = 0; tries < 1000; tries++) {
    if (sendto(fd_, d.data(), d.size(), 0, reinterpret_cast<const sockaddr*>(&to.ss), to.len) >= 0)
      return true;
    if (errno != EAGAIN && errno != ENOBUFS) return false;
    usleep(100);  // the send buffer is full: a bulk sync; let it drain
  }
  return false;
}

uint64_t Transport::send_all(std::span<const uint8_t> d) {
  uint64_t sent = 0;
  for (const auto& to : dests_) sent += send_to(to, d);
  return sent;
}

bool Transport::receive(std::vector<uint8_t>& buf, SockAddr& from) {
  buf.resize(65536);
  from.len = sizeof(from.ss);
  ssize_t n =
      recvfrom(fd_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from.ss), &from.len);
  if (n < 0) return false;
  buf.resize(static_cast<size_t>(n));
  return true;
}

}  // namespace xlb::sync
