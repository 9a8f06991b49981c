// `xlb list ruleset` round trip as a property: for random configurations
// applied with the real binary to real pins, the printed ruleset applies back
// to itself byte for byte, and means what the generated input meant.
#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "config/ruleset.hpp"
#include "ruleset_fixture.hpp"

namespace xlb::test {
namespace {

// The generator's own record of what it asked for, kept apart from the
// model code under test.
struct GenBackend {
  std::string addr;
  uint32_t weight = 1;
  std::string mac;  // lowercase
  bool disabled = false;
};

struct GenService {
  std::string name, proto, vip;
  uint16_t port = 0;
  std::string sched = "mh";
  uint32_t ring = 0;
  std::vector<GenBackend> backends;
  uint32_t need = 1;
  std::vector<Check> checks;  // plain data: what the words below asked for
};

struct Generated {
  std::string text;
  uint32_t seed = kDefaultSeed;
  std::vector<GenService> services;
};

constexpr uint32_t kRings[] = {7, 11, 13, 31, 61, 97, 127, 251};

class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}
  Generated next();

 private:
  uint32_t pick(uint32_t n) { return static_cast<uint32_t>(rng_() % n); }
  bool chance(uint32_t one_in) { return pick(one_in) == 0; }
  GenService service(int i);
  std::string ref(const GenService& s);
  std::string service_line(const GenService& s);
  std::string backend_lines(const GenService& s, const GenBackend& b);
  void add_backends(GenService& s, int i);
  void add_checks(GenService& s);
  std::string check_line(const GenService& s, Check& c);

  std::mt19937 rng_;
  Generated g_;
};

GenService Generator::service(int i) {
  GenService s;
  s.name = "svc" + std::to_string(i);
  s.proto = chance(2) ? "tcp" : "udp";
  bool v6 = chance(2);
  s.vip = v6 ? "2001:db8::" + std::to_string(i + 1) : "192.0.2." + std::to_string(i + 1);
  s.port = chance(3) ? 0 : static_cast<uint16_t>(1 + pick(65535));
  s.sched = chance(2) ? "mh" : "sh";
  s.ring = kRings[pick(std::size(kRings))];
  return s;
}

// A service named either way: by name or as `PROTO VIP[:PORT]`.
std::string Generator::ref(const GenService& s) {
  if (chance(2)) return s.name;
  bool v6 = s.vip.find(':') != std::string::npos;
  bool show_port = s.port || chance(3);  // ":0" is "every port" spelled out
  // An IPv6 VIP is always in brackets (a bare one could end in a port).
  std::string ep = v6 ? "[" + s.vip + "]" : s.vip;
  if (show_port) ep += ":" + std::to_string(s.port);
  return s.proto + " " + ep;
}

std::string Generator::service_line(const GenService& s) {
  // The ring is sometimes set afterwards, through a `service set` by reference.
  bool later = chance(4);
  uint32_t first_ring = later ? 7 : s.ring;
  std::string vip = s.vip.find(':') != std::string::npos ? "[" + s.vip + "]" : s.vip;
  std::string l = "service add " + s.name + " " + s.proto + " " + vip;
  if (s.port) l += ":" + std::to_string(s.port);
  if (s.sched == "sh" || chance(2)) l += " sched " + s.sched;
  l += " ring " + std::to_string(first_ring) + "\n";
  if (later) l += "service set " + ref(s) + " ring " + std::to_string(s.ring) + "\n";
  return l;
}

std::string Generator::backend_lines(const GenService& s, const GenBackend& b) {
  std::string mac = b.mac;
  if (chance(3))
    for (auto& ch : mac) ch = static_cast<char>(std::toupper(ch));
  bool set_later = chance(3);
  std::string l = "backend add " + ref(s) + " " + b.addr + " mac " + mac;
  if (!set_later && (b.weight != 1 || chance(2))) l += " weight " + std::to_string(b.weight);
  l += "\n";
  if (set_later)
    l += "backend set " + ref(s) + " " + b.addr + " weight " + std::to_string(b.weight) + "\n";
  if (b.disabled)
    l += std::string(chance(2) ? "backend disable " : "backend drain ") + ref(s) + " " + b.addr +
         "\n";
  return l;
}

void Generator::add_backends(GenService& s, int i) {
  // Fewer than the ring's slots, room left for the one that comes and goes.
  const uint32_t n = pick(std::min<uint32_t>(s.ring - 1, 7));
  std::set<std::string> used;
  for (uint32_t j = 0; j < n; j++) {
    GenBackend b;
    int host = 1 + pick(200);
    // dsr keeps the VIP's family.
    b.addr = s.vip.find(':') != std::string::npos
                 ? "fd00::" + std::to_string(i) + ":" + std::to_string(host)
                 : "10." + std::to_string(i) + ".0." + std::to_string(host);
    if (!used.insert(b.addr).second) continue;
    b.weight = chance(4) ? 0 : 1 + pick(chance(2) ? 5 : kMaxWeight);
    char mac[18];
    std::snprintf(mac, sizeof mac, "02:%02x:00:00:%02x:%02x", pick(256), i, host);
    b.mac = mac;
    b.disabled = chance(5);
    g_.text += backend_lines(s, b);
    s.backends.push_back(b);
  }
  // A backend that comes and goes leaves no trace.
  if (chance(4)) {
    std::string gone = s.vip.find(':') != std::string::npos ? "fd00::ff:1" : "10.255.0.1";
    g_.text += "backend add " + ref(s) + " " + gone + " mac 02:ff:00:00:00:01\n";
    g_.text += "backend del " + ref(s) + " " + gone + "\n";
  }
}

// Durations spelled in several ways: "1s" and "1000ms" mean the same.
const std::pair<const char*, uint32_t> kDurations[] = {
    {"100ms", 100}, {"250ms", 250}, {"1000ms", 1000}, {"1s", 1000},
    {"2s", 2000},   {"5s", 5000},   {"60s", 60000},   {"1m", 60000}};

std::string Generator::check_line(const GenService& s, Check& c) {
  std::vector<std::string> opts;
  bool tcp = s.proto == "tcp";
  c.type = tcp ? (chance(3)   ? CheckType::tcp
                  : chance(2) ? CheckType::http
                              : CheckType::https)
               : (chance(2) ? CheckType::dns : CheckType::udp);
  bool web = c.type == CheckType::http || c.type == CheckType::https;
  if (s.port == 0 || chance(3)) {
    c.port = static_cast<uint16_t>(1 + pick(65535));
    opts.push_back("port " + std::to_string(c.port));
  }
  if (web && chance(2)) {
    c.path = "/health" + std::to_string(pick(100));
    opts.push_back("path " + c.path);
  }
  if (web && chance(2)) {
    c.expect_lo = static_cast<uint16_t>(100 + pick(400));
    c.expect_hi = static_cast<uint16_t>(c.expect_lo + pick(600 - c.expect_lo));
    opts.push_back(
        "expect " + std::to_string(c.expect_lo) +
        (c.expect_lo == c.expect_hi && chance(2) ? "" : "-" + std::to_string(c.expect_hi)));
  }
  if (c.type == CheckType::dns || (web && chance(2))) {
    c.host = "h" + std::to_string(pick(1000)) + ".example.org";
    opts.push_back("host " + c.host);
  }
  auto [iw, ims] = kDurations[3 + pick(5)];  // 1s .. 1m
  auto [tw, tms] = kDurations[pick(3)];      // 100ms .. 1000ms, below the interval
  if (chance(2)) c.interval_ms = ims, opts.push_back(std::string("interval ") + iw);
  // The timeout must stay below the interval (1s by default is not below 1s).
  if (chance(2) || c.timeout_ms >= c.interval_ms) {
    if (tms >= c.interval_ms) tw = "100ms", tms = 100;
    c.timeout_ms = tms;
    opts.push_back(std::string("timeout ") + tw);
  }
  if (chance(2)) c.rise = 1 + pick(10), opts.push_back("rise " + std::to_string(c.rise));
  if (chance(2)) c.fall = 1 + pick(10), opts.push_back("fall " + std::to_string(c.fall));
  std::shuffle(opts.begin(), opts.end(), rng_);
  std::string l = "check add " + ref(s) + " " + to_string(c.type);
  for (const auto& o : opts) l += " " + o;
  return l + "\n";
}

void Generator::add_checks(GenService& s) {
  for (uint32_t n = pick(4), i = 0; i < n; i++) {
    Check c;
    std::string line = check_line(s, c);
    if (std::find(s.checks.begin(), s.checks.end(), c) != s.checks.end()) continue;
    g_.text += line;
    s.checks.push_back(c);
  }
  // A check that comes and goes (deleted by its index) leaves no trace.
  if (chance(4)) {
    Check c;
    std::string line = check_line(s, c);
    if (std::find(s.checks.begin(), s.checks.end(), c) == s.checks.end())
      g_.text += line + "check del " + ref(s) + " " + std::to_string(s.checks.size() + 1) + "\n";
  }
  if (chance(3)) {
    s.need = pick(4);
    g_.text += "service set " + ref(s) + " need " + std::to_string(s.need) + "\n";
  }
}

Generated Generator::next() {
  g_ = Generated{};
  g_.text = "# generated\nflush ruleset\n";
  if (chance(2)) {
    g_.seed = rng_();
    g_.text += "set seed " + std::to_string(g_.seed) + "\n";
  }
  // Few services: each new Maglev table costs the commit an RCU grace period.
  const int services = static_cast<int>(pick(5));
  for (int i = 0; i < services; i++) {
    GenService s = service(i);
    g_.text += service_line(s);
    add_backends(s, i);
    add_checks(s);
    g_.services.push_back(s);
  }
  return g_;
}

// The model the pins hold against what the generator asked for.
void expect_meaning(const Config& c, const Generated& g) {
  EXPECT_EQ(c.settings.seed, g.seed);
  ASSERT_EQ(c.services.size(), g.services.size());
  for (size_t i = 0; i < g.services.size(); i++) {
    const GenService& want = g.services[i];
    const Service& got = c.services[i];  // in order of creation
    EXPECT_EQ(got.name, want.name);
    EXPECT_EQ(to_string(got.proto), want.proto);
    EXPECT_EQ(got.vip.str(), want.vip);
    EXPECT_EQ(got.port, want.port);
    EXPECT_EQ(to_string(got.sched), want.sched);
    EXPECT_EQ(got.ring, want.ring);
    EXPECT_EQ(got.need, want.need) << want.name;
    EXPECT_EQ(got.checks, want.checks) << want.name;
    ASSERT_EQ(got.backends.size(), want.backends.size()) << want.name;
    for (const auto& wb : want.backends) {
      const Backend* b = got.find_backend(*IpAddr::parse(wb.addr));
      ASSERT_NE(b, nullptr) << wb.addr;
      EXPECT_EQ(b->weight, wb.weight) << wb.addr;
      EXPECT_EQ(b->mac.str(), wb.mac) << wb.addr;
      EXPECT_TRUE(b->mac_explicit) << wb.addr;
      EXPECT_EQ(b->admin == Admin::disabled, wb.disabled) << wb.addr;
      EXPECT_NE(b->id, XLB_NO_BACKEND) << wb.addr;
    }
  }
}

class RoundTrip : public PinnedTest {};

TEST_F(RoundTrip, RandomRulesetsListAndApplyBackIdentically) {
  Generator gen(0x786c62);
  for (int i = 0; i < 200; i++) {
    Generated g = gen.next();
    apply(g.text);
    std::string a = list_ruleset();
    expect_meaning(live(), g);
    apply(a);
    std::string b = list_ruleset();
    ASSERT_EQ(a, b) << "iteration " << i;
    expect_meaning(live(), g);
    // The printed text is the model's own printing of the live state.
    EXPECT_EQ(a, print_ruleset(live()));
    if (HasFailure()) FAIL() << "iteration " << i << ", input:\n" << g.text << "listed:\n" << a;
  }
}

TEST_F(RoundTrip, ReapplyingTheListingChangesNothingButTheGeneration) {
  apply(
      "flush ruleset\nservice add web tcp 192.0.2.10:80 ring 13\n"
      "backend add web 10.0.0.1 mac 02:00:00:00:00:0a weight 3\n"
      "backend add web 10.0.0.2 mac 02:00:00:00:00:0b\nbackend disable web 10.0.0.2\n");
  Config before = live();
  apply(list_ruleset());
  Config after = live();
  // Same backends keep their ids and cookies: established flows survive.
  ASSERT_EQ(before.services.size(), 1u);
  ASSERT_EQ(after.services.size(), 1u);
  EXPECT_EQ(after.services[0].id, before.services[0].id);
  for (size_t j = 0; j < 2; j++) {
    EXPECT_EQ(after.services[0].backends[j].id, before.services[0].backends[j].id);
    EXPECT_EQ(after.services[0].backends[j].cookie, before.services[0].backends[j].cookie);
  }
}

TEST_F(RoundTrip, ListingThroughStdinIsTheIdentity) {
  apply(
      "flush ruleset\nset seed 99\nservice add dns udp [2001:db8::53]:53 sched sh ring 61\n"
      "backend add udp [2001:db8::53]:53 fd00::1 mac 02:00:00:00:00:01 weight 0\n");
  std::string a = list_ruleset();
  EXPECT_EQ(a,
            "flush ruleset\nset seed 99\nservice add dns udp [2001:db8::53]:53 sched sh ring 61\n"
            "backend add dns fd00::1 weight 0 mac 02:00:00:00:00:01\n");
  RunResult r = xlb({"-f", "-"}, a);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(list_ruleset(), a);
}

}  // namespace
}  // namespace xlb::test
