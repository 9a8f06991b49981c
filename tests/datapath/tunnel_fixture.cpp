#include "tunnel_fixture.hpp"

#include <arpa/inet.h>
#include <linux/bpf.h>

#include "model/ops.hpp"

namespace xlb::test {

const MacAddr kV0Mac = {{0x02, 0x0e, 0x00, 0x00, 0x00, 0x01}};
const MacAddr kBackendMac4 = {{0x02, 0xbe, 0x00, 0x00, 0x00, 0x02}};
const MacAddr kBackendMac6 = {{0x02, 0xbe, 0x00, 0x00, 0x00, 0x06}};
const MacAddr kGatewayMac4 = {{0x02, 0x9a, 0x00, 0x00, 0x00, 0x04}};
const MacAddr kGatewayMac6 = {{0x02, 0x9a, 0x00, 0x00, 0x00, 0x06}};

namespace {

uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

IpAddr addr_at(const uint8_t* p, bool v6) {
  IpAddr a;
  a.family = v6 ? XLB_AF_INET6 : XLB_AF_INET;
  std::copy(p, p + (v6 ? 16 : 4), a.bytes.begin());
  return a;
}

bool parse_ipv4(const Bytes& f, size_t at, Outer& o) {
  const uint8_t* h = f.data() + at;
  if (f.size() < at + 20 || (h[0] >> 4) != 4 || (h[0] & 15) != 5) return false;
  uint16_t tot = be16(h + 2);
  if (tot < 20 || f.size() < at + tot) return false;
  o.version = 4;
  o.tos = h[1];
  o.df = (be16(h + 6) & 0x4000) != 0;
  o.ttl = h[8];
  o.proto = h[9];
  o.ip_csum_ok = fold(ones_sum(h, 20)) == 0;
  o.src_ip = addr_at(h + 12, false);
  o.dst_ip = addr_at(h + 16, false);
  o.payload.assign(h + 20, h + tot);
  return true;
}

bool parse_ipv6(const Bytes& f, size_t at, Outer& o) {
  const uint8_t* h = f.data() + at;
  if (f.size() < at + 40 || (h[0] >> 4) != 6) return false;
  uint16_t plen = be16(h + 4);
  if (f.size() < at + 40 + plen) return false;
  o.version = 6;
  o.tos = static_cast<uint8_t>((h[0] & 15) << 4 | h[1] >> 4);
  o.flow_label = (h[1] & 15u) << 16 | be16(h + 2);
  o.proto = h[6];
  o.ttl = h[7];
  o.src_ip = addr_at(h + 8, true);
  o.dst_ip = addr_at(h + 24, true);
  o.payload.assign(h + 40, h + 40 + plen);
  return true;
}

}  // namespace

uint32_t ones_sum(const uint8_t* data, size_t len, uint32_t sum) {
  for (size_t i = 0; i + 1 < len; i += 2) sum += be16(data + i);
  if (len & 1) sum += data[len - 1] << 8;
  return sum;
}

uint16_t fold(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

uint32_t pseudo_sum(const IpAddr& src, const IpAddr& dst, uint8_t proto, uint32_t len) {
  size_t n = src.is_v6() ? 16 : 4;
  uint32_t sum = ones_sum(src.bytes.data(), n) + ones_sum(dst.bytes.data(), n);
  return sum + proto + (len >> 16) + (len & 0xffff);
}

std::optional<Outer> parse_outer(const Bytes& f) {
  if (f.size() < 14) return std::nullopt;
  Outer o;
  std::copy(f.begin(), f.begin() + 6, o.dst.bytes.begin());
  std::copy(f.begin() + 6, f.begin() + 12, o.src.bytes.begin());
  o.ethertype = be16(f.data() + 12);
  bool ok = o.ethertype == 0x0800   ? parse_ipv4(f, 14, o)
            : o.ethertype == 0x86dd ? parse_ipv6(f, 14, o)
                                    : false;
  if (!ok) return std::nullopt;
  return o;
}

std::optional<Udp> parse_udp(const Outer& o) {
  const Bytes& p = o.payload;
  if (o.proto != 17 || p.size() < 8) return std::nullopt;
  Udp u;
  u.sport = be16(p.data());
  u.dport = be16(p.data() + 2);
  u.len = be16(p.data() + 4);
  u.check = be16(p.data() + 6);
  if (u.len != p.size()) return std::nullopt;
  uint32_t sum = pseudo_sum(o.src_ip, o.dst_ip, 17, u.len);
  u.csum_ok = u.check != 0 && fold(ones_sum(p.data(), p.size(), sum)) == 0;
  u.payload.assign(p.begin() + 8, p.end());
  return u;
}

void TunnelTest::SetUp() {
  DatapathTest::SetUp();
  if (IsSkipped() || HasFatalFailure()) return;
  ns_.emplace();
  ASSERT_TRUE(ns_->ok()) << ns_->error();
  for (const char* cmd :
       {"link add v0 address 02:0e:00:00:00:01 type veth peer name v1", "link set v0 up",
        "link set v1 up", "addr add 10.9.0.1/24 dev v0", "addr add fd09::1/64 dev v0 nodad",
        "neigh replace 10.9.0.2 lladdr 02:be:00:00:00:02 dev v0 nud permanent",
        "neigh replace fd09::2 lladdr 02:be:00:00:00:06 dev v0 nud permanent",
        "neigh replace 10.9.0.254 lladdr 02:9a:00:00:00:04 dev v0 nud permanent",
        "neigh replace fd09::fe lladdr 02:9a:00:00:00:06 dev v0 nud permanent"})
    ASSERT_TRUE(ns_->ip(cmd)) << ns_->error();
  ASSERT_TRUE(ns_->sysctl("net/ipv4/ip_forward", "1")) << ns_->error();
  ASSERT_TRUE(ns_->sysctl("net/ipv6/conf/all/forwarding", "1")) << ns_->error();
  configure([](Config& c) -> Status {
    XLB_TRY(settings_set_tunnel(c, TunnelSetting::source4, ip("10.9.0.1")));
    return settings_set_tunnel(c, TunnelSetting::source6, ip("fd09::1"));
  });
}

void TunnelTest::TearDown() {
  ns_.reset();
  DatapathTest::TearDown();
}

void TunnelTest::add_tunnel_service(const char* vip, const char* backend, Forward method,
                                    uint16_t port) {
  configure([&](Config& c) -> Status {
    Service s = make_service("svc", Proto::tcp, vip, 80);
    s.forward = method;
    s.forward_port = port;
    Backend b;
    b.addr = ip(backend);
    s.backends.push_back(b);
    return service_add(c, std::move(s));
  });
}

TestRunOutput TunnelTest::run_on(const Bytes& frame, uint32_t ifindex) const {
  auto r = test_run(prog_fd(), frame, ifindex);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? *r : TestRunOutput{XDP_ABORTED, {}};
}

Bytes TunnelTest::client_frame(const char* vip, uint16_t sport, size_t payload) const {
  bool v6 = ip(vip).is_v6();
  PacketSpec p = make_packet(v6 ? "2001:db8:c::7" : "100.64.0.7", vip, kProtoTcp, sport, 80);
  p.ip.dont_fragment = true;
  p.l4.payload.assign(payload, 0x5a);
  if (payload) p.l4.payload.back() = 0xa5;
  Bytes f = frame(p);
  // DSCP EF (0xb8): the outer header must copy it.
  if (v6) {
    f[14] = 0x6b;
    f[15] = static_cast<uint8_t>(0x80 | (f[15] & 0x0f));
  } else {
    f[15] = 0xb8;
    f[24] = f[25] = 0;
    uint16_t c = inet_checksum(f.data() + 14, 20);
    f[24] = c >> 8;
    f[25] = c & 0xff;
  }
  return f;
}

}  // namespace xlb::test
