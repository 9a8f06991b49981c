#include "servers.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

namespace xlb::test {

bool enter_private_netns() {
  if (unshare(CLONE_NEWNET) != 0) return false;
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  ifreq ifr{};
  std::strcpy(ifr.ifr_name, "lo");
  ioctl(s, SIOCGIFFLAGS, &ifr);
  ifr.ifr_flags |= IFF_UP;
  bool ok = ioctl(s, SIOCSIFFLAGS, &ifr) == 0;
  close(s);
  return ok;
}

int bound_socket(const std::string& addr, int type, uint16_t& port) {
  bool v6 = addr.find(':') != std::string::npos;
  int fd = socket(v6 ? AF_INET6 : AF_INET, type | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_storage ss{};
  socklen_t len;
  if (v6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    inet_pton(AF_INET6, addr.c_str(), &a->sin6_addr);
    len = sizeof *a;
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    inet_pton(AF_INET, addr.c_str(), &a->sin_addr);
    len = sizeof *a;
  }
  if (bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    close(fd);
    return -1;
  }
  getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  port = ntohs(v6 ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port
                  : reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  return fd;
}

namespace {

// Waits up to 100 ms for fd to be readable (so stop_ is seen).
bool readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, 100) > 0;
}

std::string header(const std::string& req, const std::string& name) {
  auto at = req.find("\r\n" + name + ": ");
  if (at == std::string::npos) return "";
  at += name.size() + 4;
  return req.substr(at, req.find("\r\n", at) - at);
}

}  // namespace

HttpServer::HttpServer(const std::string& addr, const std::string& cert, const std::string& key) {
  fd_ = bound_socket(addr, SOCK_STREAM, port_);
  listen(fd_, 64);
  if (!cert.empty()) {
    SSL_CTX* c = SSL_CTX_new(TLS_server_method());
    SSL_CTX_use_certificate_file(c, cert.c_str(), SSL_FILETYPE_PEM);
    SSL_CTX_use_PrivateKey_file(c, key.c_str(), SSL_FILETYPE_PEM);
    ctx_ = c;
  }
  thread_ = std::thread([this] { serve(); });
}

HttpServer::~HttpServer() {
  stop_ = true;
  thread_.join();
  close(fd_);
  SSL_CTX_free(static_cast<SSL_CTX*>(ctx_));
}

void HttpServer::serve() {
  while (!stop_) {
    if (!readable(fd_)) continue;
    sockaddr_storage peer{};
    socklen_t len = sizeof peer;
    int c = accept(fd_, reinterpret_cast<sockaddr*>(&peer), &len);
    if (c < 0) continue;
    {
      std::lock_guard<std::mutex> g(mu_);
      ports_.push_back(ntohs(reinterpret_cast<sockaddr_in*>(&peer)->sin_port));
    }
    answer(c);
    close(c);
  }
}

void HttpServer::answer(int fd) {
  timeval tv{2, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  SSL* ssl = nullptr;
  if (ctx_) {
    ssl = SSL_new(static_cast<SSL_CTX*>(ctx_));
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) != 1) return SSL_free(ssl);
    const char* sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    std::lock_guard<std::mutex> g(mu_);
    sni_ = sni ? sni : "";
  }
  std::string req;
  char buf[2048];
  while (req.find("\r\n\r\n") == std::string::npos) {
    int n = ssl ? SSL_read(ssl, buf, sizeof buf) : static_cast<int>(recv(fd, buf, sizeof buf, 0));
    if (n <= 0) break;
    req.append(buf, n);
  }
  {
    // Before the answer: the client may ask for it as soon as it has one.
    std::lock_guard<std::mutex> g(mu_);
    host_ = header(req, "Host");
  }
  std::string path = req.substr(4, req.find(' ', 4) - 4);
  std::string status = path == "/ok" ? "200 OK" : path == "/teapot" ? "418 Teapot" : "404 No";
  std::string resp = "HTTP/1.1 " + status + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
  if (ssl) {
    SSL_write(ssl, resp.data(), static_cast<int>(resp.size()));
    SSL_shutdown(ssl);
    SSL_free(ssl);
  } else {
    send(fd, resp.data(), resp.size(), MSG_NOSIGNAL);
  }
}

std::string HttpServer::last_host() {
  std::lock_guard<std::mutex> g(mu_);
  return host_;
}
std::string HttpServer::last_sni() {
  std::lock_guard<std::mutex> g(mu_);
  return sni_;
}
std::vector<uint16_t> HttpServer::client_ports() {
  std::lock_guard<std::mutex> g(mu_);
  return ports_;
}

UdpServer::UdpServer(const std::string& addr, std::string mode, int rcode, bool wrong_id)
    : mode_(std::move(mode)), rcode_(rcode), wrong_id_(wrong_id) {
  fd_ = bound_socket(addr, SOCK_DGRAM, port_);
  thread_ = std::thread([this] { serve(); });
}

UdpServer::~UdpServer() {
  stop_ = true;
  thread_.join();
  close(fd_);
}

void UdpServer::serve() {
  while (!stop_) {
    if (!readable(fd_)) continue;
    char buf[1500];
    sockaddr_storage peer{};
    socklen_t len = sizeof peer;
    ssize_t n = recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&peer), &len);
    if (n <= 0) continue;
    {
      std::lock_guard<std::mutex> g(mu_);
      query_.assign(buf, n);
    }
    if (mode_ == "silent") continue;
    std::string out(buf, n);
    if (mode_ == "dns" && n >= 12) {
      out = out.substr(0, 12);
      if (wrong_id_) out[1] = static_cast<char>(out[1] + 1);
      out[2] = static_cast<char>(0x81);  // QR, RD
      out[3] = static_cast<char>(0x80 | rcode_);
    }
    sendto(fd_, out.data(), out.size(), 0, reinterpret_cast<sockaddr*>(&peer), len);
  }
}

std::string UdpServer::last_query() {
  std::lock_guard<std::mutex> g(mu_);
  return query_;
}

}  // namespace xlb::test
