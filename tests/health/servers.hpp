// Real servers for the probe tests, run on threads of the test process in
// its private network namespace: TCP listeners, a small HTTP(S) server, a
// DNS responder and a UDP echo.
#pragma once

#include <netinet/in.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace xlb::test {

// Enters a new network namespace (this thread, and the threads and
// processes it starts afterwards) with lo up. False when not root.
bool enter_private_netns();

// A socket bound to ADDR:PORT (port 0: any) of `type`; its port.
int bound_socket(const std::string& addr, int type, uint16_t& port);

// Serves until destroyed. HTTP: "/ok" 200, "/teapot" 418, else 404; with
// TLS when cert and key files are given. Remembers the last Host header and
// TLS server name, and every client port seen.
class HttpServer {
 public:
  HttpServer(const std::string& addr, const std::string& cert = "", const std::string& key = "");
  ~HttpServer();
  uint16_t port() const { return port_; }
  std::string last_host();
  std::string last_sni();
  std::vector<uint16_t> client_ports();

 private:
  void serve();
  void answer(int fd);
  int fd_ = -1;
  uint16_t port_ = 0;
  void* ctx_ = nullptr;  // SSL_CTX
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::string host_, sni_;
  std::vector<uint16_t> ports_;
  std::thread thread_;
};

// UDP: answers each datagram. mode "echo": the datagram back; "dns": a DNS
// header with the query's id and `rcode` (id + 1 when `wrong_id`);
// "silent": nothing.
class UdpServer {
 public:
  UdpServer(const std::string& addr, std::string mode, int rcode = 0, bool wrong_id = false);
  ~UdpServer();
  uint16_t port() const { return port_; }
  std::string last_query();

 private:
  void serve();
  int fd_ = -1;
  uint16_t port_ = 0;
  std::string mode_;
  int rcode_;
  bool wrong_id_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::string query_;
  std::thread thread_;
};

}  // namespace xlb::test
