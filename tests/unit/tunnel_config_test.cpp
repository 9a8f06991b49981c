// The model's rules for tunnel services and settings: source addresses
// required per backend family, settings of the right family, unsetting what
// a service needs refused, family mixes each method allows, the printed
// ruleset text.
#include <gtest/gtest.h>

#include "config/command.hpp"
#include "config/ruleset.hpp"
#include "model/ops.hpp"

namespace xlb {
namespace {

IpAddr addr(const char* text) { return *IpAddr::parse(text); }
ServiceRef ref(const char* name) { return ServiceRef{name, {}, {}}; }

Service service(const char* name, const char* vip, Forward f, uint16_t port = 0) {
  Service s;
  s.name = name;
  s.vip = addr(vip);
  s.port = 80;
  s.forward = f;
  s.forward_port = port;
  return s;
}

Backend backend(const char* a) {
  Backend b;
  b.addr = addr(a);
  return b;
}

TEST(TunnelConfig, BackendNeedsTheSourceOfItsFamily) {
  Config c;
  ASSERT_TRUE(service_add(c, service("t", "192.0.2.10", Forward::gue)).ok());
  // Edits work on a copy that a failure discards (as the transaction does).
  Config probe = c;
  Status s = backend_add(probe, ref("t"), backend("10.0.0.1"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message,
            "backend 10.0.0.1 of service t: forward gue needs an outer source address "
            "(xlb set source4 ADDR)");
  EXPECT_EQ(s.error().kind, ErrorKind::usage);
  ASSERT_TRUE(settings_set_tunnel(c, TunnelSetting::source4, addr("10.0.0.254")).ok());
  EXPECT_TRUE(backend_add(c, ref("t"), backend("10.0.0.1")).ok());
  probe = c;
  s = backend_add(probe, ref("t"), backend("fd00::1"));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("xlb set source6 ADDR"), std::string::npos);
}

TEST(TunnelConfig, EveryFamilyMixOfEveryTunnel) {
  Config c;
  ASSERT_TRUE(settings_set_tunnel(c, TunnelSetting::source4, addr("10.0.0.254")).ok());
  ASSERT_TRUE(settings_set_tunnel(c, TunnelSetting::source6, addr("fd00::fe")).ok());
  int n = 0;
  for (Forward f : {Forward::ipip, Forward::gre, Forward::gue, Forward::fou})
    for (const char* vip : {"192.0.2.10", "2001:db8::10"}) {
      std::string name = "s" + std::to_string(n++);
      Service s = service(name.c_str(), vip, f);
      s.port = static_cast<uint16_t>(n);
      ASSERT_TRUE(service_add(c, s).ok());
      EXPECT_TRUE(backend_add(c, ref(name.c_str()), backend("10.0.0.1")).ok());
      EXPECT_TRUE(backend_add(c, ref(name.c_str()), backend("fd00::1")).ok());
    }
  EXPECT_TRUE(validate(c).ok());
}

TEST(TunnelConfig, DsrStillNeedsTheVipFamily) {
  Config c;
  ASSERT_TRUE(service_add(c, service("d", "192.0.2.10", Forward::dsr)).ok());
  Backend b = backend("fd00::1");
  b.mac = MacAddr{{2, 0, 0, 0, 0, 1}};
  Status s = backend_add(c, ref("d"), b);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message,
            "backend fd00::1 of service d: forward dsr needs the VIP's address family");
}

TEST(TunnelConfig, SwitchingToATunnelChecksTheSources) {
  Config c;
  ASSERT_TRUE(service_add(c, service("d", "192.0.2.10", Forward::dsr)).ok());
  ASSERT_TRUE(backend_add(c, ref("d"), backend("10.0.0.1")).ok());
  ServiceChange ch;
  ch.forward = Forward::ipip;
  EXPECT_FALSE(service_set(c, ref("d"), ch).ok());
  ASSERT_TRUE(settings_set_tunnel(c, TunnelSetting::source4, addr("10.0.0.254")).ok());
  EXPECT_TRUE(service_set(c, ref("d"), ch).ok());
}

TEST(TunnelConfig, UnsettingANeededSourceIsRefused) {
  Config c;
  ASSERT_TRUE(settings_set_tunnel(c, TunnelSetting::source6, addr("fd00::fe")).ok());
  ASSERT_TRUE(service_add(c, service("t", "192.0.2.10", Forward::fou)).ok());
  ASSERT_TRUE(backend_add(c, ref("t"), backend("fd00::1")).ok());
  Status s = settings_set_tunnel(c, TunnelSetting::source6, std::nullopt);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(c.settings.source6.has_value()) << "nothing changed";
  EXPECT_TRUE(settings_set_tunnel(c, TunnelSetting::source4, std::nullopt).ok());
  EXPECT_TRUE(settings_set_tunnel(c, TunnelSetting::gateway6, addr("fd00::1")).ok());
  EXPECT_TRUE(settings_set_tunnel(c, TunnelSetting::gateway6, std::nullopt).ok());
}

TEST(TunnelConfig, SettingsHaveTheirFamily) {
  Config c;
  Status s = settings_set_tunnel(c, TunnelSetting::gateway4, addr("fd00::1"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "gateway4 must be an IPv4 address, not fd00::1");
  s = settings_set_tunnel(c, TunnelSetting::source4, addr("0.0.0.0"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message,
            "source4 cannot be the unspecified address (unset it with: xlb set source4 none)");
}

TEST(TunnelConfig, PortOnlyForUdpMethods) {
  Service s = service("t", "192.0.2.10", Forward::gre, 7000);
  Status st = validate_service(s);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message, "service t: forward gre takes no port (only gue and fou do)");
  EXPECT_EQ(service("g", "192.0.2.10", Forward::gue).tunnel_port(), 6080);
  EXPECT_EQ(service("f", "192.0.2.10", Forward::fou).tunnel_port(), 5555);
  EXPECT_EQ(service("f", "192.0.2.10", Forward::fou, 9).tunnel_port(), 9);
  EXPECT_EQ(service("i", "192.0.2.10", Forward::ipip).tunnel_port(), 0);
}

TEST(TunnelConfig, SettingAMethodWithoutPortResetsThePort) {
  Config c;
  ASSERT_TRUE(service_add(c, service("t", "192.0.2.10", Forward::gue, 7000)).ok());
  ServiceChange ch;
  ch.forward = Forward::fou;
  ASSERT_TRUE(service_set(c, ref("t"), ch).ok());
  EXPECT_EQ(c.services[0].forward_port, 0);
  EXPECT_EQ(c.services[0].tunnel_port(), 5555);
}

TEST(TunnelConfig, PrintedRuleset) {
  Config c;
  ASSERT_TRUE(settings_set_tunnel(c, TunnelSetting::source4, addr("198.51.100.7")).ok());
  ASSERT_TRUE(settings_set_tunnel(c, TunnelSetting::gateway6, addr("fe80::1")).ok());
  ASSERT_TRUE(service_add(c, service("g", "2001:db8::10", Forward::gue, 7000)).ok());
  ASSERT_TRUE(backend_add(c, ref("g"), backend("10.0.0.1")).ok());
  EXPECT_EQ(print_ruleset(c),
            "flush ruleset\n"
            "set source4 198.51.100.7\n"
            "set gateway6 fe80::1\n"
            "service add g tcp [2001:db8::10]:80 sched mh forward gue port 7000\n"
            "backend add g 10.0.0.1 weight 1\n");
}

}  // namespace
}  // namespace xlb
