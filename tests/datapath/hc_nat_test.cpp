// The health-check NAT path under BPF_PROG_TEST_RUN: a probe to a NAT
// address, arriving on the hc port, leaves as a packet from the lb's address
// to the VIP for that one backend; the backend's reply becomes a reply from
// the NAT address to the prober. Every expected frame is built from scratch
// by the test's packet builder (its checksums computed over the whole
// packet), so the program's incremental checksum updates are checked
// against an independent computation, byte for byte.
//
// The test runs in a network namespace of its own, with a veth pair
// (hcA 10.9.0.1/24 fd00:9::1/64, peer hcB): the transaction's route lookups
// then give a known egress (hcA) and lb source address (10.9.0.1, fd00:9::1)
// for the backends 10.9.0.2 and fd00:9::2.
#include <bpf/bpf.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <sched.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "datapath_fixture.hpp"
#include "model/nat.hpp"
#include "net/netlink.hpp"
#include "state/nat_table.hpp"
#include "state/store.hpp"

namespace xlb::test {
namespace {

// Moves the calling thread into a new network namespace, and back.
class ThreadNetns {
 public:
  ThreadNetns() : orig_(open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)) {
    ok_ = orig_ >= 0 && unshare(CLONE_NEWNET) == 0;
  }
  ~ThreadNetns() {
    if (orig_ < 0) return;
    if (ok_ && setns(orig_, CLONE_NEWNET) != 0) std::abort();  // never run on elsewhere
    close(orig_);
  }
  bool ok() const { return ok_; }

 private:
  int orig_;
  bool ok_ = false;
};

const MacAddr kHostMac = {{0x02, 0x4c, 0x00, 0x00, 0x00, 0x00}};  // "xlbhc0"
const MacAddr kDpMac = {{0x02, 0x4c, 0x00, 0x00, 0x00, 0x01}};    // "xlbhc1"
constexpr uint16_t kSport = 40123;
constexpr uint16_t kOtherCheckPort = 8080;

struct Case {
  const char* name;
  Proto proto;
  const char* vip;
  uint16_t port;
  const char* backend;
  const char* local;             // the lb address the route lookup must give
  uint8_t vip_len = 0;           // a prefix VIP: vip/vip_len
  const char* probed = nullptr;  // then the address probes go to (its first host address)
};

const Case kCases[] = {
    {"web4", Proto::tcp, "192.0.2.10", 80, "10.9.0.2", "10.9.0.1"},
    {"dns4", Proto::udp, "192.0.2.53", 53, "10.9.0.2", "10.9.0.1"},
    {"web6", Proto::tcp, "2001:db8::10", 80, "fd00:9::2", "fd00:9::1"},
    {"dns6", Proto::udp, "2001:db8::53", 53, "fd00:9::2", "fd00:9::1"},
    // Prefix VIPs: their checks probe the first host address, not the
    // network address.
    {"net4", Proto::tcp, "192.0.2.0", 80, "10.9.0.2", "10.9.0.1", 28, "192.0.2.1"},
    {"net6", Proto::tcp, "2001:db8:1::", 80, "fd00:9::2", "fd00:9::1", 120, "2001:db8:1::1"},
};

// The address a case's probes reach the backend at.
IpAddr probed(const Case& k) { return ip(k.probed ? k.probed : k.vip); }

class HcNatTest : public DatapathTest {
 protected:
  void SetUp() override {
    if (!running_as_root()) GTEST_SKIP() << "needs root";
    netns_.emplace();
    ASSERT_TRUE(netns_->ok()) << "unshare(CLONE_NEWNET)";
    DatapathTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_EQ(std::system("ip link set lo up && ip link add hcA type veth peer name hcB && "
                          "ip addr add 10.9.0.1/24 dev hcA && "
                          "ip -6 addr add fd00:9::1/64 dev hcA nodad && "
                          "ip link set hcA up && ip link set hcB up"),
              0);
    auto a = link_by_name("hcA");
    auto b = link_by_name("hcB");
    ASSERT_TRUE(a && b);
    egress_ = *a;
    port_ifindex_ = b->ifindex;
    auto progs = load_hc_programs({pin_path(), Capacities{}, MacAddr{}});
    ASSERT_TRUE(progs.ok()) << progs.error().message;
    hc_.emplace(std::move(progs->probe));
    guard_.emplace(std::move(progs->guard));
    write_port(port_ifindex_);
    configure([](Config& c) -> Status {
      for (const Case& k : kCases) {
        Service s = make_service(k.name, k.proto, k.vip, k.port);
        s.vip_len = k.vip_len;
        s.backends.push_back(make_backend(k.backend, backend_mac(7)));
        // One check on the service's port, and one on 8080: probes may go
        // to those two ports only.
        Check check;
        check.type = k.proto == Proto::tcp ? CheckType::tcp : CheckType::udp;
        s.checks.push_back(check);
        check.port = kOtherCheckPort;
        s.checks.push_back(check);
        XLB_TRY(service_add(c, std::move(s)));
      }
      return {};
    });
  }

  void TearDown() override {
    hc_.reset();
    guard_.reset();
    DatapathTest::TearDown();
  }

  void write_port(int ifindex) {
    uint32_t zero = 0;
    xlb_hc_cfg cfg{};
    ASSERT_EQ(bpf_map_lookup_elem(maps().hc_cfg(), &zero, &cfg), 0);
    cfg.dp_ifindex = ifindex;
    std::memcpy(cfg.host_mac, kHostMac.bytes.data(), 6);
    std::memcpy(cfg.dp_mac, kDpMac.bytes.data(), 6);
    cfg.host4 = nat_host_address(config().settings, XLB_AF_INET).to_abi().w[0];
    cfg.host6 = nat_host_address(config().settings, XLB_AF_INET6).to_abi();
    ASSERT_EQ(bpf_map_update_elem(maps().hc_cfg(), &zero, &cfg, BPF_ANY), 0);
  }

  IpAddr nat_of(const std::string& svc, const char* backend) const {
    Service s = service(svc);
    auto a = nat_address(config().settings, s, *s.find_backend(ip(backend)));
    EXPECT_TRUE(a.has_value());
    return a ? *a : IpAddr{};
  }

  IpAddr host_addr(const Case& k) const {
    return nat_host_address(config().settings, ip(k.vip).family);
  }

  // The probe the host sends: host address -> NAT address, on xlbhc0.
  PacketSpec probe(const Case& k, uint16_t sport = kSport) const {
    PacketSpec p =
        make_packet("0.0.0.0", "0.0.0.0", static_cast<uint8_t>(k.proto), sport, k.port, kTcpSyn);
    p.ip.src = host_addr(k);
    p.ip.dst = nat_of(k.name, k.backend);
    p.eth.dst = kDpMac;
    p.eth.src = kHostMac;
    p.l4.payload = Bytes{'p', 'r', 'o', 'b', 'e', '!', 0xff};
    return p;
  }

  // What the backend must receive: lb address -> VIP (a prefix VIP's first
  // host address), same ports and data.
  PacketSpec expected_out(const Case& k, PacketSpec p) const {
    p.ip.src = ip(k.local);
    p.ip.dst = probed(k);
    p.eth.dst = backend_mac(7);
    p.eth.src = egress_.mac;
    return p;
  }

  // The backend's reply: VIP -> lb address, arriving on an attached interface.
  PacketSpec reply(const Case& k, uint16_t dport = kSport) const {
    PacketSpec p = make_packet("0.0.0.0", k.local, static_cast<uint8_t>(k.proto), k.port, dport,
                               kTcpSyn | kTcpAck);
    p.ip.src = probed(k);
    p.eth.dst = kIfaceMac;
    p.eth.src = backend_mac(7);
    p.l4.payload = Bytes{'r', 'e', 'p', 'l', 'y', 0x00, 0x80, 0x7f};
    return p;
  }

  PacketSpec expected_back(const Case& k, PacketSpec p) const {
    p.ip.src = nat_of(k.name, k.backend);
    p.ip.dst = host_addr(k);
    p.eth = EthSpec{};
    p.eth.dst = kHostMac;
    p.eth.src = kDpMac;
    return p;
  }

  TestRunOutput run_probe(const Bytes& f, int ifindex = -1) const {
    auto r = test_run(hc_->fd(), f, ifindex < 0 ? port_ifindex_ : ifindex);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : TestRunOutput{XDP_ABORTED, {}};
  }

  uint64_t global(int index) const { return stats().global[index]; }

  std::optional<ThreadNetns> netns_;
  std::optional<LoadedProgram> hc_;
  std::optional<LoadedProgram> guard_;  // xlb_hc_guard, xlbhc0's egress
  LinkInfo egress_;
  int port_ifindex_ = 0;
};

TEST_F(HcNatTest, ProbeBecomesAPacketForTheVipSentToItsBackend) {
  for (const Case& k : kCases) {
    SCOPED_TRACE(k.name);
    uint64_t probes = global(XLB_G_HC_PROBE), redirects = global(XLB_G_REDIRECT);
    PacketSpec p = probe(k);
    TestRunOutput out = run_probe(frame(p));
    EXPECT_EQ(out.action, XDP_REDIRECT);
    EXPECT_EQ(out.frame, frame(expected_out(k, p)));
    auto parsed = parse_frame(out.frame);
    ASSERT_TRUE(parsed);
    auto l3 = parse_ip(parsed->l3);
    ASSERT_TRUE(l3);
    EXPECT_TRUE(l3->checksums_ok);
    EXPECT_EQ(global(XLB_G_HC_PROBE), probes + 1);
    EXPECT_EQ(global(XLB_G_REDIRECT), redirects + 1);
  }
}

TEST_F(HcNatTest, ReplyBecomesAReplyFromTheNatAddressRedirectedIntoThePort) {
  for (const Case& k : kCases) {
    SCOPED_TRACE(k.name);
    ASSERT_EQ(run_probe(frame(probe(k))).action, XDP_REDIRECT);
    uint64_t replies = global(XLB_G_HC_REPLY);
    PacketSpec r = reply(k);
    TestRunOutput out = run(frame(r));
    EXPECT_EQ(out.action, XDP_REDIRECT);
    EXPECT_EQ(out.frame, frame(expected_back(k, r)));
    EXPECT_EQ(global(XLB_G_HC_REPLY), replies + 1);
  }
}

TEST_F(HcNatTest, ReplyLosesItsVlanTags) {
  const Case& k = kCases[0];
  ASSERT_EQ(run_probe(frame(probe(k))).action, XDP_REDIRECT);
  PacketSpec r = reply(k);
  r.eth.vlans = {{kTpid8021ad, 7}, {kTpid8021q, 10}};
  TestRunOutput out = run(frame(r));
  EXPECT_EQ(out.action, XDP_REDIRECT);
  EXPECT_EQ(out.frame, frame(expected_back(k, r)));
}

TEST_F(HcNatTest, UdpWithoutChecksumKeepsNone) {
  const Case& k = kCases[1];  // dns4
  Bytes f = frame(probe(k));
  auto parsed = parse_frame(f);
  size_t l4 = 14 + 20;
  f[l4 + 6] = f[l4 + 7] = 0;  // UDP over IPv4: checksum 0 means none
  TestRunOutput out = run_probe(f);
  ASSERT_EQ(out.action, XDP_REDIRECT);
  Bytes want = frame(expected_out(k, probe(k)));
  want[l4 + 6] = want[l4 + 7] = 0;
  EXPECT_EQ(out.frame, want);
  ASSERT_TRUE(parsed);
}

TEST_F(HcNatTest, ProbeToAnUnknownNatAddressIsDroppedAndCounted) {
  PacketSpec p = probe(kCases[0]);
  p.ip.dst = ip("198.18.7.7");  // in the range, no backend has that id
  uint64_t unknown = global(XLB_G_DROP_HC_UNKNOWN);
  EXPECT_EQ(run_probe(frame(p)).action, XDP_DROP);
  EXPECT_EQ(global(XLB_G_DROP_HC_UNKNOWN), unknown + 1);
  EXPECT_EQ(global(XLB_G_HC_PROBE), 0u);
}

TEST_F(HcNatTest, ProbeFromAnotherSourceIsDroppedAndCounted) {
  for (const Case& k : kCases) {
    SCOPED_TRACE(k.name);
    PacketSpec p = probe(k);
    p.ip.src = ip(ip(k.vip).is_v6() ? "2001:db8:bad::1" : "203.0.113.66");
    uint64_t source = global(XLB_G_DROP_HC_SOURCE);
    EXPECT_EQ(run_probe(frame(p)).action, XDP_DROP);
    EXPECT_EQ(global(XLB_G_DROP_HC_SOURCE), source + 1);
  }
  EXPECT_EQ(global(XLB_G_HC_PROBE), 0u);
}

// The NAT addresses open only the ports the service's checks probe: a local
// user cannot reach 22, 3306 or 9999 on a backend's VIP through them.
TEST_F(HcNatTest, ProbeToAPortNoCheckUsesIsDroppedAndCounted) {
  for (const Case& k : kCases) {
    SCOPED_TRACE(k.name);
    for (uint16_t port : {22, 3306, 9999}) {
      PacketSpec p = probe(k);
      p.l4.dport = port;
      uint64_t refused = global(XLB_G_DROP_HC_PORT);
      EXPECT_EQ(run_probe(frame(p)).action, XDP_DROP) << port;
      EXPECT_EQ(global(XLB_G_DROP_HC_PORT), refused + 1) << port;
    }
    PacketSpec other = probe(k);
    other.l4.dport = kOtherCheckPort;
    TestRunOutput out = run_probe(frame(other));
    EXPECT_EQ(out.action, XDP_REDIRECT);
    EXPECT_EQ(out.frame, frame(expected_out(k, other)));
  }
  EXPECT_EQ(global(XLB_G_HC_PROBE), std::size(kCases));
}

// A service without checks: nothing may be probed through its NAT addresses.
TEST_F(HcNatTest, ServiceWithoutChecksOpensNoPort) {
  configure([](Config& c) -> Status {
    c.find_service("web4")->checks.clear();
    return {};
  });
  EXPECT_EQ(run_probe(frame(probe(kCases[0]))).action, XDP_DROP);
  EXPECT_EQ(global(XLB_G_DROP_HC_PORT), 1u);
  EXPECT_EQ(global(XLB_G_HC_PROBE), 0u);
}

// The host's own ND/MLD on the port is chatter, not a refused probe: the
// drop_hc_unknown count stays exact.
TEST_F(HcNatTest, HostChatterIsCountedApartFromUnknownProbes) {
  PacketSpec p = probe(kCases[2]);  // IPv6
  p.ip.proto = 58;                  // ICMPv6 (a neighbour solicitation, say)
  p.ip.dst = ip("ff02::1:ff00:1");
  EXPECT_EQ(run_probe(ethernet(p.eth, ip_packet(p.ip, Bytes(24, 0x87)))).action, XDP_DROP);
  EXPECT_EQ(global(XLB_G_HC_CHATTER), 1u);
  EXPECT_EQ(global(XLB_G_DROP_HC_UNKNOWN), 0u);
}

TEST_F(HcNatTest, ProbeFromAnotherInterfaceIsNotTranslated) {
  Bytes f = frame(probe(kCases[0]));
  TestRunOutput out = run_probe(f, egress_.ifindex);
  EXPECT_EQ(out.action, XDP_PASS);
  EXPECT_EQ(out.frame, f);
  EXPECT_EQ(global(XLB_G_HC_PROBE), 0u);
}

// A probe the host routed into the port from another interface (forwarding
// on, the port's own address spoofed as source) never reaches xlbhc1: the
// tc guard on xlbhc0's egress drops it; one made on the host passes.
TEST_F(HcNatTest, ForwardedProbeIsDroppedBeforeThePort) {
  for (const Case& k : kCases) {
    Bytes f = frame(probe(k));
    auto local = test_run_skb(guard_->fd(), f, 0);
    ASSERT_TRUE(local.ok()) << local.error().message;
    EXPECT_EQ(local->action, uint32_t{TC_ACT_OK}) << k.name;
    auto routed = test_run_skb(guard_->fd(), f, egress_.ifindex);
    ASSERT_TRUE(routed.ok()) << routed.error().message;
    EXPECT_EQ(routed->action, uint32_t{TC_ACT_SHOT}) << k.name;
  }
  EXPECT_EQ(global(XLB_G_DROP_HC_FORWARDED), std::size(kCases));
}

TEST_F(HcNatTest, ReplyWithoutAProbeIsPassedUntouched) {
  const Case& k = kCases[0];
  ASSERT_EQ(run_probe(frame(probe(k))).action, XDP_REDIRECT);
  Bytes other_port = frame(reply(k, kSport + 1));
  TestRunOutput out = run(other_port);
  EXPECT_EQ(out.action, XDP_PASS);
  EXPECT_EQ(out.frame, other_port);
  PacketSpec elsewhere = reply(k);
  elsewhere.ip.dst = ip("10.9.0.77");  // not an lb source address
  EXPECT_EQ(run(frame(elsewhere)).action, XDP_PASS);
  EXPECT_EQ(global(XLB_G_HC_REPLY), 0u);
}

TEST_F(HcNatTest, TwoProbesSharingASourcePortAreCountedAsAClash) {
  configure([](Config& c) -> Status {
    return backend_add(c, by_name("web4"), make_backend("10.9.0.3", backend_mac(8)));
  });
  const Case& k = kCases[0];
  PacketSpec first = probe(k);
  PacketSpec second = probe(k);
  second.ip.dst = nat_of("web4", "10.9.0.3");
  ASSERT_EQ(run_probe(frame(first)).action, XDP_REDIRECT);
  ASSERT_EQ(run_probe(frame(first)).action, XDP_REDIRECT);  // a retransmission
  EXPECT_EQ(global(XLB_G_HC_REPLY_CLASH), 0u);
  ASSERT_EQ(run_probe(frame(second)).action, XDP_REDIRECT);
  EXPECT_EQ(global(XLB_G_HC_REPLY_CLASH), 1u);
}

TEST_F(HcNatTest, DeletedBackendsNatAddressIsUnknownAtOnce) {
  const Case& k = kCases[0];
  Bytes f = frame(probe(k));
  configure([&](Config& c) -> Status { return backend_del(c, by_name("web4"), ip(k.backend)); });
  EXPECT_EQ(run_probe(f).action, XDP_DROP);
  EXPECT_EQ(global(XLB_G_DROP_HC_UNKNOWN), 1u);
}

TEST_F(HcNatTest, BackendWithoutARouteIsDroppedAndShownWithoutEgress) {
  configure([](Config& c) -> Status {
    return backend_add(c, by_name("web4"), make_backend("203.0.113.9", backend_mac(9)));
  });
  auto ctl = ctl_read(maps());
  ASSERT_TRUE(ctl.ok());
  auto rows = read_nat_table(maps(), config(), ctl->active_bank);
  ASSERT_TRUE(rows.ok());
  for (const NatRow& r : *rows) {
    SCOPED_TRACE(r.backend.str());
    bool routed = r.backend != ip("203.0.113.9");
    EXPECT_EQ(r.ifindex, routed ? egress_.ifindex : 0);
    if (routed) {
      EXPECT_TRUE(r.source == ip("10.9.0.1") || r.source == ip("fd00:9::1"));
    }
  }
  PacketSpec p = probe(kCases[0]);
  p.ip.dst = nat_of("web4", "203.0.113.9");
  EXPECT_EQ(run_probe(frame(p)).action, XDP_DROP);
  EXPECT_EQ(global(XLB_G_DROP_HC_NO_ROUTE), 1u);
}

TEST_F(HcNatTest, NatRangeIsValidatedAgainstCapacityAndVips) {
  Status small = state_update(
      [](Config& c) -> Status { return settings_set_nat(c, *IpPrefix::parse("198.18.0.0/24")); });
  ASSERT_FALSE(small.ok());
  EXPECT_NE(small.error().message.find("too small for 512 backends"), std::string::npos)
      << small.error().message;
  Status vip = state_update(
      [](Config& c) -> Status { return settings_set_nat(c, *IpPrefix::parse("192.0.0.0/8")); });
  ASSERT_FALSE(vip.ok());
  EXPECT_NE(vip.error().message.find("contains VIP 192.0.2.10"), std::string::npos);
  // A range that fits moves every NAT address, and the probes follow.
  configure(
      [](Config& c) -> Status { return settings_set_nat(c, *IpPrefix::parse("100.127.0.0/22")); });
  EXPECT_EQ(nat_of("web4", "10.9.0.2").str().rfind("100.127.", 0), 0u);
  write_port(port_ifindex_);  // the port's own address moved too (hc_port_setup)
  PacketSpec p = probe(kCases[0]);
  EXPECT_EQ(p.ip.src, ip("100.127.3.255"));
  EXPECT_EQ(run_probe(frame(p)).action, XDP_REDIRECT);
}

}  // namespace
}  // namespace xlb::test
