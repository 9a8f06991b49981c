// ICMP echo to a VIP (set icmp-echo, echo.h): the datapath answers ping for
// a VIP that can serve, from the VIP, with the MACs swapped; the reply is
// compared byte for byte with one the test's packet builder makes from
// scratch (its checksums computed over the whole message). No reply while no
// backend takes new flows, nor with icmp-echo off; at most XLB_ECHO_RATE
// replies a second per CPU.
#include <linux/bpf.h>
#include <sched.h>
#include <time.h>

#include "datapath_fixture.hpp"
#include "model/ops.hpp"

namespace xlb::test {
namespace {

struct Family {
  const char* name;
  const char* client;
  const char* vip;
  uint8_t request, reply;
};

void PrintTo(const Family& f, std::ostream* os) { *os << f.name; }

const Family kFamilies[] = {
    {"ipv4", "198.51.100.7", "192.0.2.10", 8, 0},
    {"ipv6", "2001:db8:100::7", "2001:db8::10", 128, 129},
};

class EchoTest : public DatapathTest, public ::testing::WithParamInterface<Family> {
 protected:
  void SetUp() override {
    DatapathTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    configure([](Config& c) -> Status {
      Service s4 = make_service("web4", Proto::tcp, "192.0.2.10", 80);
      Service s6 = make_service("web6", Proto::tcp, "2001:db8::10", 443);
      s4.backends.push_back(make_backend("10.0.0.1", backend_mac(1)));
      s6.backends.push_back(make_backend("fd00::1", backend_mac(2)));
      XLB_TRY(service_add(c, std::move(s4)));
      return service_add(c, std::move(s6));
    });
  }

  Bytes request(uint8_t ttl = 50) const {
    const Family& f = GetParam();
    return icmp_message_frame(client_eth(), ip(f.client), ip(f.vip), f.request, 0, ttl);
  }
  // The reply as the VIP's own stack would send it.
  Bytes expected_reply() const {
    const Family& f = GetParam();
    EthSpec eth;
    eth.dst = client_eth().src;
    eth.src = client_eth().dst;
    return icmp_message_frame(eth, ip(f.vip), ip(f.client), f.reply, 0, 64);
  }
  static EthSpec client_eth() { return EthSpec{}; }

  uint64_t global(int index) const { return stats().global[index]; }

  void set_all_backends(Admin admin) {
    configure([&](Config& c) -> Status {
      for (auto& s : c.services)
        for (auto& b : s.backends) b.admin = admin;
      return {};
    });
  }
};

TEST_P(EchoTest, ServingVipAnswersFromItself) {
  TestRunOutput out = run(request());
  EXPECT_EQ(out.action, uint32_t{XDP_TX});
  EXPECT_EQ(out.frame, expected_reply());
  EXPECT_EQ(global(XLB_G_ECHO_REPLY), 1u);
  EXPECT_EQ(global(XLB_G_TX), 1u);
  EXPECT_TRUE(flows().empty()) << "a ping is no flow";
}

TEST_P(EchoTest, NoAnswerWhileNoBackendCanServe) {
  set_all_backends(Admin::disabled);
  EXPECT_EQ(run(request()).action, uint32_t{XDP_DROP});
  EXPECT_EQ(global(XLB_G_DROP_NO_SERVICE), 1u);
  set_all_backends(Admin::enabled);
  EXPECT_EQ(run(request()).action, uint32_t{XDP_TX}) << "answers again once one can";
}

TEST_P(EchoTest, OffMeansDropped) {
  configure([](Config& c) { return settings_set_icmp_echo(c, false); });
  EXPECT_EQ(run(request()).action, uint32_t{XDP_DROP});
  EXPECT_EQ(global(XLB_G_ECHO_REPLY), 0u);
}

// A reply is not answered (it would loop between two balancers).
TEST_P(EchoTest, EchoReplyIsNotAnswered) {
  const Family& f = GetParam();
  Bytes reply = icmp_message_frame(client_eth(), ip(f.client), ip(f.vip), f.reply, 0);
  EXPECT_EQ(run(reply).action, uint32_t{XDP_DROP});
  EXPECT_EQ(global(XLB_G_ECHO_REPLY), 0u);
}

uint64_t coarse_second() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return static_cast<uint64_t>(ts.tv_sec);
}

// All on one CPU, within one second of the datapath's clock (retried when a
// second boundary falls inside the burst).
TEST_P(EchoTest, RepliesAreLimitedPerCpuAndSecond) {
  cpu_set_t all, one;
  ASSERT_EQ(sched_getaffinity(0, sizeof(all), &all), 0);
  CPU_ZERO(&one);
  CPU_SET(0, &one);
  ASSERT_EQ(sched_setaffinity(0, sizeof(one), &one), 0);
  struct Restore {
    cpu_set_t* set;
    ~Restore() { sched_setaffinity(0, sizeof(*set), set); }
  } restore{&all};
  const Bytes req = request();
  const int burst = XLB_ECHO_RATE + 50;
  bool measured = false;
  for (int attempt = 0; attempt < 5 && !measured; attempt++) {
    const uint64_t replies = global(XLB_G_ECHO_REPLY), limited = global(XLB_G_DROP_ECHO_RATE);
    const uint64_t start = coarse_second();
    for (int i = 0; i < burst; i++) run(req);
    if (coarse_second() != start) continue;
    measured = true;
    EXPECT_LE(global(XLB_G_ECHO_REPLY) - replies, uint64_t{XLB_ECHO_RATE});
    EXPECT_GE(global(XLB_G_DROP_ECHO_RATE) - limited, 50u);
  }
  EXPECT_TRUE(measured) << "every burst crossed a second";
}

INSTANTIATE_TEST_SUITE_P(Families, EchoTest, ::testing::ValuesIn(kFamilies),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace xlb::test
