// The socket plumbing shared by every probe, and the tcp probe.
#include "health/health_probe.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace xlb {

Probe::~Probe() {
  if (fd_ >= 0) close(fd_);
}

std::string errno_reason(int err) {
  switch (err) {
    case ECONNREFUSED:
      return "connection refused";
    case ETIMEDOUT:
      return "timeout";
    case EHOSTUNREACH:
      return "host unreachable";
    case ENETUNREACH:
      return "network unreachable";
    case ECONNRESET:
      return "connection reset";
    default:
      return std::strerror(err);
  }
}

namespace {

socklen_t to_sockaddr(const Endpoint& e, sockaddr_storage& ss, bool any) {
  std::memset(&ss, 0, sizeof ss);
  if (e.addr.is_v6()) {
    auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons(any ? 0 : e.port);
    if (!any) std::memcpy(&s6->sin6_addr, e.addr.bytes.data(), 16);
    return sizeof *s6;
  }
  auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
  s4->sin_family = AF_INET;
  s4->sin_port = htons(any ? 0 : e.port);
  if (!any) std::memcpy(&s4->sin_addr, e.addr.bytes.data(), 4);
  return sizeof *s4;
}

}  // namespace

std::optional<ProbeResult> Probe::open_and_connect(int type) {
  int family = target_.addr.is_v6() ? AF_INET6 : AF_INET;
  fd_ = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return ProbeResult{false, "socket: " + errno_reason(errno)};
  sockaddr_storage ss;
  // Port 0: the kernel picks a fresh source port for every probe.
  if (bind(fd_, reinterpret_cast<sockaddr*>(&ss), to_sockaddr(target_, ss, true)) < 0)
    return ProbeResult{false, "bind: " + errno_reason(errno)};
  socklen_t len = to_sockaddr(target_, ss, false);
  if (connect(fd_, reinterpret_cast<sockaddr*>(&ss), len) < 0 && errno != EINPROGRESS)
    return ProbeResult{false, errno_reason(errno)};
  return std::nullopt;
}

namespace {

class TcpProbe : public Probe {
 public:
  TcpProbe(const Check& c, const Endpoint& t) : Probe(c, t) {}
  std::optional<ProbeResult> start() override {
    want_ = EPOLLOUT;
    return open_and_connect(SOCK_STREAM);
  }
  std::optional<ProbeResult> on_event(uint32_t) override {
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err) return ProbeResult{false, errno_reason(err)};
    return ProbeResult{true, "connected"};
  }
};

}  // namespace

std::unique_ptr<Probe> Probe::make(const Check& check, const Endpoint& target) {
  switch (check.type) {
    case CheckType::tcp:
      return std::unique_ptr<Probe>(new TcpProbe(check, target));
    case CheckType::http:
    case CheckType::https:
      return make_stream_probe(check, target);
    case CheckType::dns:
    case CheckType::udp:
      return make_datagram_probe(check, target);
  }
  return nullptr;
}

}  // namespace xlb
