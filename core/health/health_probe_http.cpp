// http and https probes: GET, read the status line, close.
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <cerrno>

#include "health/health_probe.hpp"

namespace xlb {

namespace {

struct SslCtx {
  SSL_CTX* ctx = nullptr;
  SslCtx() {
    ctx = SSL_CTX_new(TLS_client_method());
    if (ctx) SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  }
  ~SslCtx() { SSL_CTX_free(ctx); }
};

SSL_CTX* ssl_ctx() {
  static SslCtx c;
  return c.ctx;
}

// "HTTP/1.1 200 OK" -> 200; 0 when the line is not a status line.
int status_of(const std::string& r) {
  if (r.size() < 12 || r.compare(0, 5, "HTTP/") != 0) return 0;
  size_t sp = r.find(' ');
  if (sp == std::string::npos || sp + 4 > r.size()) return 0;
  int code = 0;
  for (size_t i = sp + 1; i < sp + 4; i++) {
    if (r[i] < '0' || r[i] > '9') return 0;
    code = code * 10 + (r[i] - '0');
  }
  return code;
}

class HttpProbe : public Probe {
 public:
  HttpProbe(const Check& c, const Endpoint& t) : Probe(c, t) {}
  ~HttpProbe() override { SSL_free(ssl_); }

  std::optional<ProbeResult> start() override {
    want_ = EPOLLOUT;
    std::string host = check_.host.empty() ? target_.addr.str() : check_.host;
    if (check_.host.empty() && target_.addr.is_v6()) host = "[" + host + "]";
    request_ = "GET " + check_.path + " HTTP/1.1\r\nHost: " + host +
               "\r\nUser-Agent: xlb-healthd\r\nConnection: close\r\n\r\n";
    return open_and_connect(SOCK_STREAM);
  }

  std::optional<ProbeResult> on_event(uint32_t) override {
    if (stage_ == Stage::connecting) {
      int err = 0;
      socklen_t len = sizeof err;
      getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err) return ProbeResult{false, errno_reason(err)};
      if (auto r = begin_tls()) return r;
    }
    if (stage_ == Stage::handshake) return handshake();
    if (stage_ == Stage::sending) return send_request();
    return read_response();
  }

 private:
  enum class Stage { connecting, handshake, sending, reading };

  std::optional<ProbeResult> begin_tls() {
    stage_ = Stage::sending;
    if (check_.type != CheckType::https) return std::nullopt;
    ssl_ = SSL_new(ssl_ctx());
    if (!ssl_) return ProbeResult{false, "TLS: cannot create a session"};
    SSL_set_fd(ssl_, fd_);
    if (!check_.host.empty()) SSL_set_tlsext_host_name(ssl_, check_.host.c_str());
    stage_ = Stage::handshake;
    return std::nullopt;
  }

  // An OpenSSL call's outcome: keep waiting (nullopt + want_ set) or fail.
  std::optional<ProbeResult> tls_wait(int rc, const char* what) {
    int e = SSL_get_error(ssl_, rc);
    if (e == SSL_ERROR_WANT_READ) want_ = EPOLLIN;
    if (e == SSL_ERROR_WANT_WRITE) want_ = EPOLLOUT;
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return std::nullopt;
    unsigned long code = ERR_get_error();
    char buf[160] = "connection closed";
    if (code) ERR_error_string_n(code, buf, sizeof buf);
    return ProbeResult{false, std::string("TLS ") + what + ": " + buf};
  }

  std::optional<ProbeResult> handshake() {
    int rc = SSL_connect(ssl_);
    if (rc != 1) return tls_wait(rc, "handshake");
    stage_ = Stage::sending;
    return send_request();
  }

  // Bytes moved (> 0), 0 at the end of the stream, or -1: wait (want_ is
  // set) unless `fail` says why it cannot go on.
  struct Io {
    ssize_t n;
    std::optional<ProbeResult> fail;
  };

  Io io(bool write, char* buf, size_t n) {
    if (!ssl_) {
      ssize_t r = write ? send(fd_, buf, n, MSG_NOSIGNAL) : recv(fd_, buf, n, 0);
      if (r >= 0 || errno == EAGAIN) return {r >= 0 ? r : -1, std::nullopt};
      return {-1, ProbeResult{false, errno_reason(errno)}};
    }
    int r = write ? SSL_write(ssl_, buf, static_cast<int>(n)) : SSL_read(ssl_, buf, int(n));
    if (r > 0) return {r, std::nullopt};
    if (SSL_get_error(ssl_, r) == SSL_ERROR_ZERO_RETURN) return {0, std::nullopt};
    return {-1, tls_wait(r, write ? "write" : "read")};
  }

  std::optional<ProbeResult> send_request() {
    want_ = EPOLLOUT;
    Io r = io(true, request_.data() + sent_, request_.size() - sent_);
    if (r.n < 0) return r.fail;
    sent_ += static_cast<size_t>(r.n);
    if (sent_ < request_.size()) return std::nullopt;
    stage_ = Stage::reading;
    want_ = EPOLLIN;
    return std::nullopt;
  }

  std::optional<ProbeResult> read_response() {
    char buf[2048];
    want_ = EPOLLIN;
    Io r = io(false, buf, sizeof buf);
    // A server that closes without a TLS close_notify still answered.
    if (r.n < 0 && r.fail && !response_.empty()) return verdict();
    if (r.n < 0) return r.fail;
    response_.append(buf, static_cast<size_t>(r.n));
    if (r.n > 0 && response_.find("\r\n") == std::string::npos && response_.size() < 8192)
      return std::nullopt;
    return verdict();
  }

  ProbeResult verdict() const {
    int code = status_of(response_);
    if (code == 0) return {false, response_.empty() ? "empty response" : "not an HTTP response"};
    std::string s = "HTTP status " + std::to_string(code);
    if (code < check_.expect_lo || code > check_.expect_hi)
      return {false, s + " (expected " + std::to_string(check_.expect_lo) + "-" +
                         std::to_string(check_.expect_hi) + ")"};
    return {true, s};
  }

  Stage stage_ = Stage::connecting;
  SSL* ssl_ = nullptr;
  std::string request_, response_;
  size_t sent_ = 0;
};

}  // namespace

std::unique_ptr<Probe> make_stream_probe(const Check& check, const Endpoint& target) {
  return std::make_unique<HttpProbe>(check, target);
}

}  // namespace xlb
