// Twins: the services and backends of a configuration by name and address,
// as Config::find_service and Service::find_backend find them, and the
// pairing a commit makes with them (ids and cookies of what survives).
#include <gtest/gtest.h>

#include <string>

#include "model/twins.hpp"

namespace xlb {
namespace {

IpAddr addr(const char* text) { return *IpAddr::parse(text); }

Service service(const std::string& name, std::initializer_list<const char*> backends) {
  Service s;
  s.name = name;
  for (const char* a : backends) {
    Backend b;
    b.addr = addr(a);
    s.backends.push_back(b);
  }
  return s;
}

Config farm() {
  Config c;
  for (int i = 0; i < 300; i++)
    c.services.push_back(service("s" + std::to_string(i), {"10.0.0.1", "10.0.0.2", "fd00::1"}));
  c.services.push_back(service("v4and6", {"10.0.0.9", "::a00:9"}));
  return c;
}

TEST(Twins, FindWhatTheListsFind) {
  const Config c = farm();
  const Twins twins(c);
  for (const auto& s : c.services) {
    EXPECT_EQ(twins.service(s.name), c.find_service(s.name)) << s.name;
    for (const auto& b : s.backends)
      EXPECT_EQ(twins.backend(s.name, b.addr), s.find_backend(b.addr))
          << s.name << " " << b.addr.str();
  }
}

TEST(Twins, TellServicesAndFamiliesApart) {
  const Config c = farm();
  const Twins twins(c);
  EXPECT_EQ(twins.service("nope"), nullptr);
  EXPECT_EQ(twins.backend("nope", addr("10.0.0.1")), nullptr);
  EXPECT_EQ(twins.backend("s1", addr("10.0.0.9")), nullptr);  // another service's backend
  EXPECT_EQ(twins.backend("s1", addr("10.0.0.1")), &c.services[1].backends[0]);
  EXPECT_EQ(twins.backend("s2", addr("10.0.0.1")), &c.services[2].backends[0]);
  // The same 16 bytes, once IPv4 and once IPv6: two backends.
  IpAddr v4 = addr("10.0.0.9"), v6 = v4;
  v6.family = XLB_AF_INET6;
  EXPECT_EQ(twins.backend("v4and6", v4), &c.services.back().backends[0]);
  EXPECT_EQ(twins.backend("v4and6", v6), nullptr);
  EXPECT_EQ(twins.backend("v4and6", addr("::a00:9")), &c.services.back().backends[1]);
}

// A configuration being validated may repeat a name or an address: the
// same one wins as with the lists (the last service, the first backend).
TEST(Twins, RepeatsResolveAsTheListsDo) {
  Config c;
  c.services.push_back(service("web", {"10.0.0.1"}));
  c.services.push_back(service("web", {"10.0.0.2", "10.0.0.2"}));
  const Twins twins(c);
  EXPECT_EQ(twins.service("web"), c.find_service("web"));
  EXPECT_EQ(twins.service("web"), &c.services[1]);
  EXPECT_EQ(twins.backend("web", addr("10.0.0.2")), &c.services[1].backends[0]);
  EXPECT_EQ(twins.backend("web", addr("10.0.0.1")), nullptr);  // only the first web has it
}

}  // namespace
}  // namespace xlb
