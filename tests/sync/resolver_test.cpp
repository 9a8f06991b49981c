// Identities to local backends: by service (VIP, protocol, port) and
// backend address, never by a peer's ids.
#include <gtest/gtest.h>
#include <netinet/in.h>

#include "sync/resolver.hpp"

namespace xlb::sync {
namespace {

Backend backend(const char* a, uint32_t id, uint32_t cookie) {
  Backend b;
  b.addr = *IpAddr::parse(a);
  b.id = id;
  b.cookie = cookie;
  return b;
}

Config config() {
  Config c;
  Service web;
  web.name = "web";
  web.vip = *IpAddr::parse("192.0.2.10");
  web.port = 80;
  web.backends = {backend("10.0.0.1", 3, 30), backend("10.0.0.2", 4, 40)};
  Service any;
  any.name = "any";
  any.vip = web.vip;
  any.port = 0;
  any.backends = {backend("10.0.0.1", 7, 70)};
  c.services = {web, any};
  return c;
}

FlowRecord flow(const char* be, uint16_t svc_port, uint16_t dport = 80) {
  FlowRecord r;
  r.key.family = XLB_AF_INET;
  r.key.proto = IPPROTO_TCP;
  r.key.dst = IpAddr::parse("192.0.2.10")->to_abi();
  r.key.dport = htons(dport);
  r.svc_port = svc_port;
  r.backend = *IpAddr::parse(be);
  return r;
}

TEST(SyncResolver, ServiceAndAddressNameTheLocalBackend) {
  Resolver r(config());
  auto b = r.local(flow("10.0.0.2", 80));
  ASSERT_TRUE(b);
  EXPECT_EQ(b->id, 4u);
  EXPECT_EQ(b->cookie, 40u);
  // The same address in the port-0 service is another backend.
  b = r.local(flow("10.0.0.1", 0, 443));
  ASSERT_TRUE(b);
  EXPECT_EQ(b->id, 7u);
}

TEST(SyncResolver, UnknownServiceOrBackendIsNone) {
  Resolver r(config());
  EXPECT_FALSE(r.local(flow("10.0.0.9", 80)));
  EXPECT_FALSE(r.local(flow("10.0.0.2", 0)));
  auto udp = flow("10.0.0.2", 80);
  udp.key.proto = IPPROTO_UDP;
  EXPECT_FALSE(r.local(udp));
}

TEST(SyncResolver, IdentityNeedsTheCurrentCookie) {
  Resolver r(config());
  const Identity* i = r.identity(4, 40);
  ASSERT_NE(i, nullptr);
  EXPECT_EQ(i->backend, *IpAddr::parse("10.0.0.2"));
  EXPECT_EQ(i->svc_port, 80);
  EXPECT_EQ(r.identity(4, 39), nullptr);
  EXPECT_EQ(r.identity(99, 40), nullptr);
}

TEST(SyncResolver, AnyPortOfAMultiportServiceNamesIt) {
  Config c = config();
  c.services[0].set_ports(*parse_ports("80,443,8000-8099"));
  Resolver r(c);
  for (uint16_t port : {80, 443, 8000, 8050, 8099}) {
    auto b = r.local(flow("10.0.0.2", port, port));
    ASSERT_TRUE(b) << port;
    EXPECT_EQ(b->id, 4u) << port;
  }
  EXPECT_FALSE(r.local(flow("10.0.0.2", 444, 444)));
  EXPECT_FALSE(r.local(flow("10.0.0.2", 8100, 8100)));
}

// A peer's flow to one address of a prefix VIP (192.0.2.9 of 192.0.2.0/28)
// names the prefix's service; an exact VIP inside the prefix its own.
TEST(SyncResolver, AnAddressOfAPrefixVipNamesItsService) {
  Config c;
  Service net;
  net.name = "net";
  net.vip = *IpAddr::parse("192.0.2.0");
  net.vip_len = 28;
  net.port = 80;
  net.backends = {backend("10.0.0.1", 5, 50)};
  Service one;
  one.name = "one";
  one.vip = *IpAddr::parse("192.0.2.5");
  one.port = 80;
  one.backends = {backend("10.0.0.1", 6, 60)};
  c.services = {net, one};
  Resolver r(c);
  auto to = [](const char* dst) {
    FlowRecord f = flow("10.0.0.1", 80);
    f.key.dst = IpAddr::parse(dst)->to_abi();
    return f;
  };
  for (const char* dst : {"192.0.2.0", "192.0.2.9", "192.0.2.15"}) {
    auto b = r.local(to(dst));
    ASSERT_TRUE(b) << dst;
    EXPECT_EQ(b->id, 5u) << dst;
  }
  auto b = r.local(to("192.0.2.5"));
  ASSERT_TRUE(b);
  EXPECT_EQ(b->id, 6u);
  EXPECT_FALSE(r.local(to("192.0.2.16")));
  const Identity* i = r.identity(5, 50);
  ASSERT_NE(i, nullptr);
  EXPECT_EQ(i->vip, *IpAddr::parse("192.0.2.0"));
  EXPECT_EQ(i->vip_len, 28);
}

}  // namespace
}  // namespace xlb::sync
