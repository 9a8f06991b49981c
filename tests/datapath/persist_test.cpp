// Persistence (`service ... persist D`, bpf/persist.h) on the real object:
// a client's next connection goes to the backend of its last one, after
// that flow ended and across pool changes, while the backend is usable and
// in the table; after D it is balanced by the Maglev table again.
//
// As the flow timeout tests do, a test ages an entry by writing an older
// last_seen through the map (whole seconds of CLOCK_MONOTONIC_COARSE)
// rather than sleeping.
#include <bpf/bpf.h>
#include <linux/bpf.h>

#include <ctime>

#include "datapath_fixture.hpp"
#include "model/ops.hpp"

namespace xlb::test {
namespace {

constexpr uint32_t kPersist = 300;
constexpr int kClients = 64;
const ServiceRef kWeb = by_name("web");
const ServiceRef kWeb6 = by_name("web6");

uint32_t now_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return static_cast<uint32_t>(ts.tv_sec);
}

// A client's connection: its address (v4 or v6), source port and service.
struct Conn {
  uint32_t client = 0;
  uint16_t sport = 1024;
  bool v6 = false;
};

// web: tcp 192.0.2.10:80 persist 300, backends 10.0.0.1-3; web6: tcp
// [2001:db8::10]:443 persist 300, backends fd00::1-3; plain: tcp
// 192.0.2.11:80 without persist, 10.0.1.1-3.
class PersistTest : public DatapathTest {
 protected:
  void SetUp() override {
    DatapathTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    configure([](Config& c) -> Status {
      Service web = make_service("web", Proto::tcp, "192.0.2.10", 80);
      Service web6 = make_service("web6", Proto::tcp, "2001:db8::10", 443);
      Service plain = make_service("plain", Proto::tcp, "192.0.2.11", 80);
      web.persist = web6.persist = kPersist;
      for (uint32_t i = 1; i <= 3; i++) {
        web.backends.push_back(
            make_backend(("10.0.0." + std::to_string(i)).c_str(), backend_mac(i)));
        web6.backends.push_back(
            make_backend(("fd00::" + std::to_string(i)).c_str(), backend_mac(10 + i)));
        plain.backends.push_back(
            make_backend(("10.0.1." + std::to_string(i)).c_str(), backend_mac(20 + i)));
      }
      XLB_TRY(service_add(c, std::move(web)));
      XLB_TRY(service_add(c, std::move(web6)));
      return service_add(c, std::move(plain));
    });
  }

  static PacketSpec spec(const Conn& c, uint8_t flags, const char* vip = "192.0.2.10") {
    PacketSpec p = c.v6 ? make_packet("::", "2001:db8::10", kProtoTcp, c.sport, 443, flags)
                        : make_packet("0.0.0.0", vip, kProtoTcp, c.sport, 80, flags);
    p.ip.src = client_addr(c.client, c.v6);
    return p;
  }

  IpAddr send(const Conn& c, uint8_t flags = kTcpSyn, const char* vip = "192.0.2.10") const {
    return run_to_backend(frame(spec(c, flags, vip)));
  }

  // The backend the Maglev table gives this connection now.
  IpAddr maglev(const Conn& c) const {
    const Service s = service(c.v6 ? "web6" : "web");
    const PacketSpec p = spec(c, kTcpSyn);
    auto choice = table_choice(maps(), s, config().settings.seed,
                               flow_key(Proto::tcp, {p.ip.src, c.sport}, {p.ip.dst, p.l4.dport}));
    EXPECT_TRUE(choice.ok());
    for (const auto& b : s.backends)
      if (choice && b.id == choice->backend_id) return b.addr;
    return IpAddr{};
  }

  // A source port of client `c` whose Maglev choice is not `avoid`.
  Conn elsewhere(Conn c, const IpAddr& avoid) const {
    for (c.sport = 2000; c.sport < 3000; c.sport++)
      if (maglev(c) != avoid) return c;
    ADD_FAILURE() << "no port of client " << c.client << " avoids " << avoid.str();
    return c;
  }

  xlb_persist_key persist_key(const Conn& c) const {
    xlb_persist_key k{};
    k.svc_id = service(c.v6 ? "web6" : "web").id;
    k.family = c.v6 ? XLB_AF_INET6 : XLB_AF_INET;
    k.client = client_addr(c.client, c.v6).to_abi();
    return k;
  }

  std::optional<xlb_persist> persist_entry(const Conn& c) const {
    xlb_persist v{};
    xlb_persist_key k = persist_key(c);
    if (bpf_map_lookup_elem(maps().persist(), &k, &v) != 0) return std::nullopt;
    return v;
  }

  // Makes the client's persistence entry `seconds` old.
  void age_persist(const Conn& c, uint32_t seconds) const {
    auto v = persist_entry(c);
    ASSERT_TRUE(v.has_value()) << "no persistence entry for client " << c.client;
    v->last_seen = now_seconds() - seconds;
    xlb_persist_key k = persist_key(c);
    ASSERT_EQ(bpf_map_update_elem(maps().persist(), &k, &*v, BPF_EXIST), 0);
  }

  // The clients' first flows end (their entries go).
  void end_flows() const {
    auto flushed = flush_flows(maps(), [](const Flow&) { return true; });
    ASSERT_TRUE(flushed.ok());
  }

  uint64_t persist_entries() const {
    auto n = count_persist(maps());
    EXPECT_TRUE(n.ok());
    return n ? *n : 0;
  }

  // Every client's second connection, after its first ended and a backend
  // was added that moves some of them under the Maglev table, goes to the
  // backend of its first.
  void second_connections_stay(bool v6) {
    std::vector<IpAddr> first;
    for (uint32_t i = 0; i < kClients; i++) first.push_back(send(Conn{i, 1024, v6}));
    end_flows();
    configure([&](Config& c) {
      return backend_add(c, v6 ? kWeb6 : kWeb,
                         make_backend(v6 ? "fd00::4" : "10.0.0.4", backend_mac(v6 ? 14 : 4)));
    });
    int moved = 0;
    for (uint32_t i = 0; i < kClients; i++) {
      const Conn second{i, 1025, v6};
      moved += maglev(second) != first[i];
      EXPECT_EQ(send(second), first[i]) << "client " << i;
    }
    EXPECT_GT(moved, kClients / 2) << "the Maglev table alone would keep them";
    EXPECT_EQ(persist_entries(), uint64_t{kClients});
  }
};

TEST_F(PersistTest, SecondConnectionKeepsItsBackendAcrossAPoolChange) {
  second_connections_stay(false);
}

TEST_F(PersistTest, SecondConnectionKeepsItsBackendAcrossAPoolChangeIPv6) {
  second_connections_stay(true);
}

TEST_F(PersistTest, AfterDTheClientIsBalancedAgain) {
  for (bool v6 : {false, true}) {
    const Conn first{1, 1024, v6};
    const IpAddr a = send(first);
    end_flows();
    const Conn next = elsewhere(first, a);
    // Idle for exactly D: still persisted (as flow entries, whole seconds).
    age_persist(first, kPersist);
    EXPECT_EQ(send(next), a);
    end_flows();
    age_persist(first, kPersist + 2);
    const IpAddr b = send(next);
    EXPECT_NE(b, a);
    EXPECT_EQ(b, maglev(next));
    EXPECT_EQ(persist_entry(first)->backend, backend(b).id);  // re-persisted to b
  }
}

TEST_F(PersistTest, DisabledOrDownPersistedBackendIsNotUsed) {
  const std::pair<const char*, std::function<Status(Config&, const IpAddr&)>> cases[] = {
      {"disabled",
       [](Config& c, const IpAddr& a) { return backend_set_admin(c, kWeb, a, Admin::disabled); }},
      {"weight 0", [](Config& c, const IpAddr& a) { return backend_set_weight(c, kWeb, a, 0); }},
      {"down",
       [](Config& c, const IpAddr& a) { return backend_set_health(c, kWeb, a, Health::down); }},
  };
  uint32_t client = 10;
  for (const auto& [name, make_unusable] : cases) {
    const Conn first{client++, 1024};
    const IpAddr a = send(first);
    configure([&](Config& c) { return make_unusable(c, a); });
    // Not even for a connection the table would also give `a` without persistence.
    const IpAddr b = send(Conn{first.client, 1025});
    EXPECT_NE(b, a) << name;
    EXPECT_EQ(persist_entry(first)->backend, backend(b).id) << name;
    configure([&](Config& c) -> Status {
      XLB_TRY(backend_set_admin(c, kWeb, a, Admin::enabled));
      XLB_TRY(backend_set_weight(c, kWeb, a, kDefaultWeight));
      return backend_set_health(c, kWeb, a, Health::up);
    });
  }
}

TEST_F(PersistTest, EstablishedPacketsKeepTheEntryAlive) {
  const Conn c{3, 1024};
  const IpAddr a = send(c);
  send(c, kTcpAck);  // the flow is established
  // Idle for longer than D by its creation, but its flow still sends.
  age_persist(c, kPersist + 100);
  xlb_flow_key fk = flow_key(Proto::tcp, {client_addr(3), 1024}, {ip("192.0.2.10"), 80});
  xlb_flow f{};
  ASSERT_EQ(bpf_map_lookup_elem(maps().flows(), &fk, &f), 0);
  f.last_seen -= 5;  // so the next packet moves it, as once a second
  ASSERT_EQ(bpf_map_update_elem(maps().flows(), &fk, &f, BPF_EXIST), 0);
  EXPECT_EQ(send(c, kTcpAck), a);
  EXPECT_LE(now_seconds() - persist_entry(c)->last_seen, 1u);
  end_flows();
  EXPECT_EQ(send(elsewhere(c, a)), a);
}

TEST_F(PersistTest, ServicesWithoutPersistWriteNoEntries) {
  for (uint32_t i = 0; i < 16; i++) send(Conn{i, 1024}, kTcpSyn, "192.0.2.11");
  for (uint32_t i = 0; i < 16; i++) send(Conn{i, 1024}, kTcpAck, "192.0.2.11");
  EXPECT_EQ(persist_entries(), 0u);
  EXPECT_EQ(stats().global[XLB_G_NEW_FLOW], 16u);
}

TEST_F(PersistTest, PersistOffStopsItAndTheSweepRemovesTheEntries) {
  std::vector<IpAddr> first;
  for (uint32_t i = 0; i < 8; i++) first.push_back(send(Conn{i, 1024}));
  age_persist(Conn{0}, kPersist + 2);  // expired
  auto swept = expire_flows(maps());
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(swept->persist, 1u);
  EXPECT_EQ(persist_entries(), 7u);

  configure([](Config& c) {
    ServiceChange ch;
    ch.persist = 0;
    return service_set(c, kWeb, ch);
  });
  end_flows();
  int maglev_choice = 0;
  for (uint32_t i = 1; i < 8; i++) {
    const Conn next = elsewhere(Conn{i}, first[i]);
    maglev_choice += send(next) == maglev(next);
  }
  EXPECT_EQ(maglev_choice, 7);
  swept = expire_flows(maps());
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(swept->persist, 7u);
  EXPECT_EQ(persist_entries(), 0u);
}

// A SYN the flow guard does not record writes no persistence entry either,
// so a SYN flood cannot evict the entries of real clients.
TEST_F(PersistTest, AGuardedSynWritesNoEntry) {
  configure([](Config& c) { return settings_set_flow_guard(c, 1); });
  for (uint32_t attempt = 0; attempt < 5; attempt++) {
    const Conn a{100 + 2 * attempt}, b{101 + 2 * attempt};
    const uint32_t second = now_seconds();
    send(a);                                // the one this second
    send(b);                                // balanced, not recorded
    if (now_seconds() != second) continue;  // the guard reopened meanwhile
    EXPECT_TRUE(persist_entry(a).has_value());
    EXPECT_FALSE(persist_entry(b).has_value());
    return;
  }
  FAIL() << "every attempt crossed a second boundary";
}

}  // namespace
}  // namespace xlb::test
