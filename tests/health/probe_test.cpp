// Probes against real servers in a private network namespace: every test
// runs in its own namespace (ctest runs each test in its own process).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "health/health_checker.hpp"
#include "health/health_loop.hpp"
#include "servers.hpp"

using namespace xlb;
using namespace xlb::test;
using namespace std::chrono_literals;

namespace {

class Probes : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0 || !enter_private_netns()) GTEST_SKIP() << "needs root (network namespace)";
  }

  static Endpoint at(const std::string& addr, uint16_t port) {
    return Endpoint{*IpAddr::parse(addr), port};
  }

  static Check check(CheckType t, uint32_t timeout_ms = 3000) {
    Check c;
    c.type = t;
    c.timeout_ms = timeout_ms;
    return c;
  }

  // Runs one probe to its end; also returns how long it took.
  static ProbeResult run(const Check& c, const Endpoint& e, HealthClock::duration* took = nullptr) {
    auto loop = ProbeLoop::create();
    EXPECT_TRUE(loop);
    std::vector<ProbeDone> done;
    auto t0 = HealthClock::now();
    auto deadline = t0 + std::chrono::milliseconds(c.timeout_ms);
    loop->add(0, Probe::make(c, e), deadline, done);
    while (done.empty() && HealthClock::now() < deadline + 2s)
      for (auto& d : loop->wait(deadline + 2s)) done.push_back(d);
    if (took) *took = HealthClock::now() - t0;
    EXPECT_EQ(done.size(), 1u);
    return done.empty() ? ProbeResult{false, "no result"} : done[0].result;
  }
};

TEST_F(Probes, TcpUpRefusedAndTimeout) {
  uint16_t port = 0;
  int fd = bound_socket("127.0.0.1", SOCK_STREAM, port);
  ASSERT_GE(fd, 0);
  listen(fd, 8);
  auto up = run(check(CheckType::tcp), at("127.0.0.1", port));
  EXPECT_TRUE(up.ok) << up.reason;
  close(fd);
  auto refused = run(check(CheckType::tcp), at("127.0.0.1", port));
  EXPECT_FALSE(refused.ok);
  EXPECT_EQ(refused.reason, "connection refused");
  // A neighbour that never answers ARP: the SYN is never answered.
  ASSERT_EQ(std::system("ip link add xhd0 type veth peer name xhd1 && ip link set xhd1 up && "
                        "ip addr add 10.9.0.1/24 dev xhd0 && ip link set xhd0 up"),
            0);
  HealthClock::duration took;
  auto late = run(check(CheckType::tcp, 300), at("10.9.0.2", 80), &took);
  EXPECT_FALSE(late.ok);
  EXPECT_EQ(late.reason, "timeout");
  EXPECT_GE(took, 290ms);
  EXPECT_LT(took, 2000ms);
}

TEST_F(Probes, TcpOverIpv6) {
  uint16_t port = 0;
  int fd = bound_socket("::1", SOCK_STREAM, port);
  ASSERT_GE(fd, 0);
  listen(fd, 8);
  EXPECT_TRUE(run(check(CheckType::tcp), at("::1", port)).ok);
  close(fd);
  EXPECT_FALSE(run(check(CheckType::tcp), at("::1", port)).ok);
}

TEST_F(Probes, HttpStatusRangesAndPaths) {
  HttpServer srv("127.0.0.1");
  Check c = check(CheckType::http);
  c.path = "/ok";
  c.expect_lo = 200, c.expect_hi = 299;
  auto ok = run(c, at("127.0.0.1", srv.port()));
  EXPECT_TRUE(ok.ok) << ok.reason;
  EXPECT_EQ(ok.reason, "HTTP status 200");
  EXPECT_EQ(srv.last_host(), "127.0.0.1");  // no host given: the address
  c.path = "/missing";
  auto wrong = run(c, at("127.0.0.1", srv.port()));
  EXPECT_FALSE(wrong.ok);
  EXPECT_EQ(wrong.reason, "HTTP status 404 (expected 200-299)");
  c.path = "/teapot";
  c.expect_lo = 418, c.expect_hi = 418;
  c.host = "www.example.org";
  auto tea = run(c, at("127.0.0.1", srv.port()));
  EXPECT_TRUE(tea.ok) << tea.reason;
  EXPECT_EQ(srv.last_host(), "www.example.org");
}

TEST_F(Probes, HttpOnAPortThatIsNotHttp) {
  UdpServer none("127.0.0.1", "silent");  // a port number nobody listens on over TCP
  auto r = run(check(CheckType::http), at("127.0.0.1", none.port()));
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.reason, "connection refused");
  // A TCP server that closes without answering.
  uint16_t port = 0;
  int fd = bound_socket("127.0.0.1", SOCK_STREAM, port);
  listen(fd, 8);
  std::thread t([&] {
    int c = accept(fd, nullptr, nullptr);
    char buf[512];
    (void)!recv(c, buf, sizeof buf, 0);
    close(c);
  });
  auto empty = run(check(CheckType::http), at("127.0.0.1", port));
  t.join();
  close(fd);
  EXPECT_FALSE(empty.ok);
  EXPECT_EQ(empty.reason, "empty response");
}

TEST_F(Probes, HttpsWithSni) {
  auto dir = std::filesystem::temp_directory_path() / ("xlb-hc-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::string cert = (dir / "c.pem").string(), key = (dir / "k.pem").string();
  std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=test -days 1 -keyout " +
                    key + " -out " + cert + " 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  {
    HttpServer srv("127.0.0.1", cert, key);
    Check c = check(CheckType::https, 3000);
    c.path = "/ok";
    c.host = "secure.example.org";
    auto ok = run(c, at("127.0.0.1", srv.port()));
    EXPECT_TRUE(ok.ok) << ok.reason;
    EXPECT_EQ(srv.last_sni(), "secure.example.org");
    EXPECT_EQ(srv.last_host(), "secure.example.org");
    c.path = "/nope";
    auto bad = run(c, at("127.0.0.1", srv.port()));
    EXPECT_FALSE(bad.ok);
    EXPECT_EQ(bad.reason, "HTTP status 404 (expected 200-399)");
    // TLS spoken to a plain HTTP server (which waits for a request line
    // that never comes) fails.
    HttpServer plain("127.0.0.1");
    auto tls = run(c, at("127.0.0.1", plain.port()));
    EXPECT_FALSE(tls.ok) << tls.reason;
  }
  std::filesystem::remove_all(dir);
}

TEST_F(Probes, DnsRcodes) {
  Check c = check(CheckType::dns);
  c.host = "www.example.org";
  for (auto [rcode, ok, reason] :
       {std::tuple{0, true, "NOERROR"}, std::tuple{3, true, "NXDOMAIN"},
        std::tuple{2, false, "DNS rcode SERVFAIL"}, std::tuple{5, false, "DNS rcode REFUSED"}}) {
    UdpServer dns("127.0.0.1", "dns", rcode);
    auto r = run(c, at("127.0.0.1", dns.port()));
    EXPECT_EQ(r.ok, ok) << rcode << ": " << r.reason;
    EXPECT_EQ(r.reason, reason);
    // The query asks for www.example.org, type A, class IN.
    std::string q = dns.last_query();
    EXPECT_NE(q.find(std::string("\3www\7example\3org\0\0\1\0\1", 21)), std::string::npos);
  }
}

TEST_F(Probes, DnsAnswerWithAnotherIdIsIgnored) {
  UdpServer dns("127.0.0.1", "dns", 0, true);
  Check c = check(CheckType::dns, 300);
  c.host = "example.org";
  auto r = run(c, at("127.0.0.1", dns.port()));
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.reason, "timeout");
}

TEST_F(Probes, UdpEchoUnreachableAndSilence) {
  UdpServer echo("127.0.0.1", "echo");
  auto up = run(check(CheckType::udp), at("127.0.0.1", echo.port()));
  EXPECT_TRUE(up.ok) << up.reason;
  EXPECT_EQ(echo.last_query(), "xlb-healthd\n");
  uint16_t port = echo.port();
  {
    UdpServer silent("127.0.0.1", "silent");
    auto quiet = run(check(CheckType::udp, 300), at("127.0.0.1", silent.port()));
    EXPECT_FALSE(quiet.ok);
    EXPECT_EQ(quiet.reason, "timeout");
  }
  HealthClock::duration took;
  auto closed =
      run(check(CheckType::udp, 3000), at("127.0.0.1", port + 1 == 0 ? 1 : port + 1), &took);
  EXPECT_FALSE(closed.ok);
  EXPECT_EQ(closed.reason, "port unreachable");
  EXPECT_LT(took, 1500ms);  // at once, not at the timeout
}

TEST_F(Probes, ConcurrentProbesUseDistinctSourcePorts) {
  HttpServer srv("127.0.0.1");
  auto loop = ProbeLoop::create();
  ASSERT_TRUE(loop);
  std::vector<ProbeDone> done;
  Check c = check(CheckType::http, 3000);
  c.path = "/ok";
  auto deadline = HealthClock::now() + 3000ms;
  for (int i = 0; i < 20; i++)
    loop->add(i, Probe::make(c, at("127.0.0.1", srv.port())), deadline, done);
  while (done.size() < 20 && HealthClock::now() < deadline + 1s)
    for (auto& d : loop->wait(deadline + 1s)) done.push_back(d);
  ASSERT_EQ(done.size(), 20u);
  for (const auto& d : done) EXPECT_TRUE(d.result.ok) << d.result.reason;
  auto ports = srv.client_ports();
  EXPECT_EQ(std::set<uint16_t>(ports.begin(), ports.end()).size(), 20u);
}

// The scheduler: rise/fall over real probes, transitions logged once.
TEST_F(Probes, CheckerMovesBackendsAndLogsOnce) {
  uint16_t port = 0;
  int fd = bound_socket("127.0.0.1", SOCK_STREAM, port);
  listen(fd, 64);
  Config cfg;
  Service s;
  s.name = "web";
  s.vip = *IpAddr::parse("192.0.2.10");
  s.port = port;
  Check c = check(CheckType::tcp, 100);
  c.interval_ms = 150, c.rise = 2, c.fall = 2;
  s.checks = {c};
  for (const char* a : {"127.0.0.1", "127.0.0.2"}) {
    Backend b;
    b.addr = *IpAddr::parse(a);
    s.backends.push_back(b);
  }
  cfg.services = {s};
  std::vector<std::string> log;
  auto loop = ProbeLoop::create();
  HealthChecker hc(
      std::move(*loop), {true, false, 4096}, [&](const std::string& m) { log.push_back(m); },
      [](const std::string&) {});
  hc.sync(cfg);
  auto run_for = [&](auto d) {
    for (auto end = HealthClock::now() + d; HealthClock::now() < end;) hc.step(end);
  };
  run_for(75ms);  // one probe each (at 0 ms): not yet down (fall 2)
  EXPECT_TRUE(hc.changes(cfg).empty());
  run_for(150ms);  // the second (at 150 ms)
  auto ch = hc.changes(cfg);
  ASSERT_EQ(ch.size(), 1u);
  EXPECT_EQ(ch[0].backend.str(), "127.0.0.2");
  EXPECT_EQ(ch[0].health, Health::down);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0], "Health check for backend 127.0.0.2 of service web (tcp 192.0.2.10:" +
                        std::to_string(port) + ") failed: connection refused, 2/2 -> DOWN");
  cfg.services[0].backends[1].health = Health::down;  // as written to the maps
  run_for(400ms);
  EXPECT_TRUE(hc.changes(cfg).empty());
  EXPECT_EQ(log.size(), 1u);  // still down: logged once
  close(fd);                  // 127.0.0.1 fails too
  run_for(400ms);
  ch = hc.changes(cfg);
  ASSERT_EQ(ch.size(), 1u);
  EXPECT_EQ(ch[0].backend.str(), "127.0.0.1");
  EXPECT_EQ(hc.failures().at({"web", *IpAddr::parse("127.0.0.2")}) >= 4, true);
}

// More due probes than slots: they wait their turn, none fails for it.
TEST_F(Probes, CheckerQueuesProbesBeyondItsSlots) {
  HttpServer srv("0.0.0.0");  // 127.0.0.1 to 127.0.0.40
  Config cfg;
  Service s;
  s.name = "web";
  s.port = srv.port();
  Check c = check(CheckType::http, 900);
  c.path = "/ok";
  c.interval_ms = 5000, c.fall = 1;
  s.checks = {c};
  for (int i = 1; i <= 40; i++) {
    Backend b;
    b.addr = *IpAddr::parse("127.0.0.1");
    b.addr.bytes[3] = static_cast<uint8_t>(i);
    s.backends.push_back(b);
  }
  cfg.services = {s};
  auto loop = ProbeLoop::create();
  std::vector<std::string> log;
  HealthChecker hc(
      std::move(*loop), {true, false, 3}, [&](const std::string& m) { log.push_back(m); },
      [](const std::string&) {});
  hc.sync(cfg);
  auto t0 = HealthClock::now();
  while (!hc.all_probed() && HealthClock::now() < t0 + 5s) hc.step(HealthClock::now() + 1s);
  EXPECT_TRUE(hc.all_probed());
  EXPECT_TRUE(hc.changes(cfg).empty()) << "every backend passed";
  EXPECT_TRUE(log.empty());
  EXPECT_EQ(srv.client_ports().size(), 40u);
}

// A daemon restarted while a backend is down starts from that state: the
// first pass does not bring it up (rise 2), the second does.
TEST_F(Probes, CheckerStartsFromTheStoredHealth) {
  uint16_t port = 0;
  int fd = bound_socket("127.0.0.1", SOCK_STREAM, port);
  listen(fd, 64);
  Config cfg;
  Service s;
  s.name = "web";
  s.port = port;
  Check c = check(CheckType::tcp, 100);
  c.interval_ms = 150;
  s.checks = {c};
  Backend b;
  b.addr = *IpAddr::parse("127.0.0.1");
  b.health = Health::down;
  s.backends = {b};
  cfg.services = {s};
  auto loop = ProbeLoop::create();
  HealthChecker hc(
      std::move(*loop), {true, false, 4096}, [](const std::string&) {}, [](const std::string&) {});
  hc.sync(cfg);
  while (!hc.all_probed()) hc.step(HealthClock::now() + 1s);
  EXPECT_TRUE(hc.changes(cfg).empty());
  for (auto end = HealthClock::now() + 200ms; HealthClock::now() < end;) hc.step(end);
  ASSERT_EQ(hc.changes(cfg).size(), 1u);
  EXPECT_EQ(hc.changes(cfg)[0].health, Health::up);
  close(fd);
}

}  // namespace
