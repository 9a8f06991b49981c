// One health-check probe: a non-blocking socket driven by an event loop
// (health_loop.hpp). The probe is sent to `target`: in production the
// health-check NAT address of a (service, backend) pair, which the datapath
// delivers to the backend as a packet for the VIP.
//
// What counts as alive:
//   tcp    the connection is accepted.
//   http   a response whose status is in [expect_lo, expect_hi] to
//          `GET path HTTP/1.1` with `Host: host` (the target address when
//          no host is given) and `Connection: close`.
//   https  the same over TLS (SNI = host; the certificate is not verified:
//          the check is about the service being served, as HAProxy's
//          `check-ssl verify none`).
//   dns    any response to an A query for `host` with the query's id and
//          RCODE NOERROR or NXDOMAIN (the server is answering; other codes
//          such as SERVFAIL or REFUSED fail).
//   udp    any reply to a datagram ("xlb-healthd\n"); ICMP port unreachable
//          fails at once, silence until the timeout fails.
#pragma once

#include <sys/epoll.h>

#include <memory>
#include <optional>
#include <string>

#include "base/addr.hpp"
#include "base/result.hpp"
#include "model/model.hpp"

namespace xlb {

struct ProbeResult {
  bool ok = false;
  std::string reason;  // "connection refused", "HTTP status 503", "timeout"
};

class Probe {
 public:
  virtual ~Probe();
  Probe(const Probe&) = delete;
  Probe& operator=(const Probe&) = delete;

  // Opens the socket (bound to port 0 first: each probe gets its own source
  // port, which the NAT path needs) and starts the exchange. An immediate
  // result (e.g. no route) is returned at once.
  virtual std::optional<ProbeResult> start() = 0;
  // The socket is ready for the events asked for by want().
  virtual std::optional<ProbeResult> on_event(uint32_t events) = 0;
  int fd() const { return fd_; }
  uint32_t want() const { return want_; }

  static std::unique_ptr<Probe> make(const Check& check, const Endpoint& target);

 protected:
  Probe(const Check& check, const Endpoint& target) : check_(check), target_(target) {}
  // A non-blocking socket of `type` bound to port 0, connecting to target_.
  // Returns an error result when that fails outright.
  std::optional<ProbeResult> open_and_connect(int type);

  Check check_;
  Endpoint target_;
  int fd_ = -1;
  uint32_t want_ = EPOLLOUT;
};

// A probe failure's reason from errno ("connection refused").
std::string errno_reason(int err);

std::unique_ptr<Probe> make_stream_probe(const Check& check, const Endpoint& target);
std::unique_ptr<Probe> make_datagram_probe(const Check& check, const Endpoint& target);

}  // namespace xlb
