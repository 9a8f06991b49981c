// The response times behind `weights response`: the checker keeps a
// smoothed round trip per backend from its successful probes (none for a
// backend that never answered), and the slower backend gets the lower
// effective weight. Real HTTP servers in a private network namespace.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "health/health_checker.hpp"
#include "health/health_loop.hpp"
#include "model/dynamic_weights.hpp"
#include "servers.hpp"

using namespace xlb;
using namespace xlb::test;
using namespace std::chrono_literals;

namespace {

// Answers every HTTP request with 200 after `delay`, on addr:port.
class SlowHttpServer {
 public:
  SlowHttpServer(const std::string& addr, uint16_t port, std::chrono::milliseconds delay)
      : delay_(delay) {
    fd_ = bound_socket(addr, SOCK_STREAM, port);
    if (fd_ >= 0) listen(fd_, 16);
    thread_ = std::thread([this] { serve(); });
  }
  ~SlowHttpServer() {
    stop_ = true;
    shutdown(fd_, SHUT_RDWR);
    thread_.join();
    close(fd_);
  }
  bool ok() const { return fd_ >= 0; }

 private:
  void serve() {
    while (!stop_) {
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      char buf[1024];
      (void)!read(c, buf, sizeof(buf));
      std::this_thread::sleep_for(delay_);
      const char reply[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      (void)!write(c, reply, sizeof(reply) - 1);
      close(c);
    }
  }
  int fd_ = -1;
  std::chrono::milliseconds delay_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

Backend backend(const char* addr) {
  Backend b;
  b.addr = *IpAddr::parse(addr);
  return b;
}

TEST(ResponseTime, SlowerBackendGetsTheLowerWeight) {
  if (geteuid() != 0 || !enter_private_netns()) GTEST_SKIP() << "needs root (network namespace)";
  HttpServer fast("127.0.0.1");
  SlowHttpServer slow("127.0.0.2", fast.port(), 60ms);
  ASSERT_TRUE(slow.ok());
  Config cfg;
  Service s;
  s.name = "web";
  s.vip = *IpAddr::parse("192.0.2.10");
  s.port = fast.port();
  s.weights = WeightMode::response;
  Check c;
  c.type = CheckType::http;
  c.path = "/ok";
  c.interval_ms = 100;
  c.timeout_ms = 1000;
  s.checks.push_back(c);
  // 127.0.0.3: nobody listens, every probe is refused.
  s.backends = {backend("127.0.0.1"), backend("127.0.0.2"), backend("127.0.0.3")};
  cfg.services.push_back(s);

  auto loop = ProbeLoop::create();
  ASSERT_TRUE(loop);
  auto nothing = [](const std::string&) {};
  HealthChecker hc(std::move(*loop), {true, false, 64}, nothing, nothing);
  hc.sync(cfg);
  EXPECT_FALSE(hc.response_us("web", s.backends[0].addr)) << "none before a probe";
  const auto end = HealthClock::now() + 1500ms;
  while (HealthClock::now() < end) hc.step(std::min(end, HealthClock::now() + 100ms));

  auto fast_us = hc.response_us("web", s.backends[0].addr);
  auto slow_us = hc.response_us("web", s.backends[1].addr);
  ASSERT_TRUE(fast_us && slow_us);
  std::printf("smoothed round trips: fast %.0f us, slow %.0f us\n", *fast_us, *slow_us);
  EXPECT_GT(*slow_us, 50000.0);
  EXPECT_LT(*fast_us * 2, *slow_us);
  EXPECT_FALSE(hc.response_us("web", s.backends[2].addr)) << "never answered";
  EXPECT_FALSE(hc.response_us("other", s.backends[0].addr));

  std::vector<BackendLoad> loads;
  for (const auto& b : s.backends) loads.push_back({0, hc.response_us("web", b.addr)});
  auto w = effective_weights(s, loads);
  EXPECT_GT(w[0], 100u);
  EXPECT_LT(w[1], 100u);
  EXPECT_EQ(w[2], 100u);  // not measured: its configured share
}

}  // namespace
