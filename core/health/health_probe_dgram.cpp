// dns and udp probes: one datagram out, one back.
#include <sys/socket.h>

#include <cerrno>
#include <random>

#include "health/health_probe.hpp"

namespace xlb {

namespace {

uint16_t random_id() {
  static std::mt19937 rng{std::random_device{}()};
  return static_cast<uint16_t>(rng());
}

// An A query (RFC 1035 4.1) for `name`, recursion desired.
std::string dns_query(uint16_t id, const std::string& name) {
  std::string q = {char(id >> 8), char(id & 0xff), 1, 0, 0, 1, 0, 0, 0, 0, 0, 0};
  size_t at = 0;
  while (at < name.size()) {
    size_t dot = name.find('.', at);
    if (dot == std::string::npos) dot = name.size();
    size_t len = std::min<size_t>(dot - at, 63);
    if (len) q += char(len) + name.substr(at, len);
    at = dot + 1;
  }
  q += std::string("\0\0\1\0\1", 5);  // root label, type A, class IN
  return q;
}

class DatagramProbe : public Probe {
 public:
  DatagramProbe(const Check& c, const Endpoint& t) : Probe(c, t) {}

  std::optional<ProbeResult> start() override {
    if (auto r = open_and_connect(SOCK_DGRAM)) return r;
    id_ = random_id();
    std::string payload =
        check_.type == CheckType::dns ? dns_query(id_, check_.host) : std::string("xlb-healthd\n");
    if (send(fd_, payload.data(), payload.size(), 0) < 0)
      return ProbeResult{false, "send: " + errno_reason(errno)};
    want_ = EPOLLIN;
    return std::nullopt;
  }

  std::optional<ProbeResult> on_event(uint32_t) override {
    unsigned char buf[1500];
    ssize_t n = recv(fd_, buf, sizeof buf, 0);
    // A connected UDP socket reports ICMP port unreachable as ECONNREFUSED.
    if (n < 0 && errno == ECONNREFUSED) return ProbeResult{false, "port unreachable"};
    if (n < 0) {
      if (errno == EAGAIN) return std::nullopt;
      return ProbeResult{false, errno_reason(errno)};
    }
    if (check_.type == CheckType::udp) return ProbeResult{true, "reply received"};
    return dns_verdict(buf, static_cast<size_t>(n));
  }

 private:
  std::optional<ProbeResult> dns_verdict(const unsigned char* b, size_t n) const {
    if (n < 12 || ((b[0] << 8) | b[1]) != id_ || !(b[2] & 0x80))
      return std::nullopt;  // not the answer to our query: keep waiting
    int rcode = b[3] & 0x0f;
    if (rcode == 0) return ProbeResult{true, "NOERROR"};
    if (rcode == 3) return ProbeResult{true, "NXDOMAIN"};
    static const char* const names[] = {"NOERROR",  "FORMERR", "SERVFAIL",
                                        "NXDOMAIN", "NOTIMP",  "REFUSED"};
    return ProbeResult{false, std::string("DNS rcode ") +
                                  (rcode < 6 ? names[rcode] : std::to_string(rcode).c_str())};
  }

  uint16_t id_ = 0;
};

}  // namespace

std::unique_ptr<Probe> make_datagram_probe(const Check& check, const Endpoint& target) {
  return std::make_unique<DatagramProbe>(check, target);
}

}  // namespace xlb
