#include "datapath_fixture.hpp"

#include <linux/bpf.h>

#include <cstdio>
#include <cstdlib>

#include "model/ops.hpp"

namespace xlb::test {

IpAddr ip(const char* text) {
  auto a = IpAddr::parse(text);
  if (!a) {
    std::fprintf(stderr, "bad address in a test: %s\n", text);
    std::abort();
  }
  return *a;
}

MacAddr mac(const char* text) {
  auto m = MacAddr::parse(text);
  if (!m) {
    std::fprintf(stderr, "bad MAC in a test: %s\n", text);
    std::abort();
  }
  return *m;
}

IpAddr client_addr(uint32_t i, bool v6) {
  IpAddr a;
  if (v6) {
    a = ip("2001:db8:c000::");
    a.bytes[12] = i >> 24;
    a.bytes[13] = i >> 16;
    a.bytes[14] = i >> 8;
    a.bytes[15] = i;
    return a;
  }
  a.family = XLB_AF_INET;
  a.bytes[0] = 100;
  a.bytes[1] = 64 | ((i >> 16) & 0x3f);
  a.bytes[2] = i >> 8;
  a.bytes[3] = i;
  return a;
}

MacAddr backend_mac(uint32_t i) {
  return MacAddr{{0x02, 0xbe, 0x00, static_cast<uint8_t>(i >> 16), static_cast<uint8_t>(i >> 8),
                  static_cast<uint8_t>(i)}};
}

PacketSpec make_packet(const char* src, const char* dst, uint8_t proto, uint16_t sport,
                       uint16_t dport, uint8_t tcp_flags) {
  PacketSpec p;
  p.ip.src = ip(src);
  p.ip.dst = ip(dst);
  p.ip.proto = proto;
  p.l4.sport = sport;
  p.l4.dport = dport;
  p.l4.tcp_flags = tcp_flags;
  return p;
}

ServiceRef by_name(const std::string& name) {
  ServiceRef r;
  r.name = name;
  return r;
}

Service make_service(const std::string& name, Proto proto, const char* vip, uint16_t port) {
  Service s;
  s.name = name;
  s.proto = proto;
  s.vip = ip(vip);
  s.port = port;
  return s;
}

Backend make_backend(const char* addr, const MacAddr& m, uint32_t weight) {
  Backend b;
  b.addr = ip(addr);
  b.mac = m;
  b.mac_explicit = true;
  b.weight = weight;
  return b;
}

const MacAddr DatapathTest::kIfaceMac = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}};

void DatapathTest::SetUp() {
  if (!running_as_root()) GTEST_SKIP() << "datapath tests need root (BPF, bpffs mount)";
  bpffs_.emplace();
  ASSERT_TRUE(bpffs_->ok()) << bpffs_->error();
  pin_path_ = bpffs_->path() + "/xlb";
  LoadOptions opts;
  opts.pin_path = pin_path_;
  opts.caps = capacities();
  opts.iface_mac = kIfaceMac;
  auto prog = load_datapath(opts);
  ASSERT_TRUE(prog.ok()) << prog.error().message;
  prog_.emplace(std::move(*prog));
  auto state = State::open(pin_path_);
  ASSERT_TRUE(state.ok()) << state.error().message;
  state_.emplace(std::move(*state));
}

void DatapathTest::configure(const std::function<Status(Config&)>& edit) {
  config_.reset();
  Status st = state_->update(edit);
  ASSERT_TRUE(st.ok()) << st.error().message;
}

Status DatapathTest::state_update(const std::function<Status(Config&)>& edit) {
  config_.reset();
  return state_->update(edit);
}

Config DatapathTest::config() const {
  if (config_) return *config_;
  auto c = state_->read();
  EXPECT_TRUE(c.ok()) << c.error().message;
  if (!c.ok()) return Config{};
  config_ = *c;
  return *c;
}

StatsSnapshot DatapathTest::stats() const {
  auto s = read_stats(state_->maps(), config());
  EXPECT_TRUE(s.ok()) << s.error().message;
  return s.ok() ? *s : StatsSnapshot{};
}

std::vector<Flow> DatapathTest::flows() const {
  auto f = list_flows(state_->maps());
  EXPECT_TRUE(f.ok()) << f.error().message;
  return f.ok() ? *f : std::vector<Flow>{};
}

TestRunOutput DatapathTest::run(const Bytes& frame) const {
  auto r = test_run(front_fd_ >= 0 ? front_fd_ : prog_->fd(), frame);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? *r : TestRunOutput{XDP_ABORTED, {}};
}

std::optional<Backend> DatapathTest::backend_with_mac(const MacAddr& m) const {
  for (const Service& s : config().services)
    for (const Backend& b : s.backends)
      if (b.mac == m) return b;
  return std::nullopt;
}

Backend DatapathTest::backend(const IpAddr& a) const {
  for (const Service& s : config().services)
    for (const Backend& b : s.backends)
      if (b.addr == a) return b;
  ADD_FAILURE() << "no backend " << a.str();
  return Backend{};
}

Service DatapathTest::service(const std::string& name) const {
  Config c = config();
  if (const Service* s = c.find_service(name)) return *s;
  ADD_FAILURE() << "no service " << name;
  return Service{};
}

Bytes DatapathTest::client_packet(int i, uint8_t tcp_flags) {
  PacketSpec p = make_packet("0.0.0.0", "192.0.2.10", kProtoTcp, 1024 + i, 80, tcp_flags);
  p.ip.src = client_addr(static_cast<uint32_t>(i));
  return frame(p);
}

std::vector<IpAddr> DatapathTest::send_all(int first, int count, uint8_t tcp_flags) const {
  std::vector<IpAddr> out;
  for (int i = first; i < first + count; i++)
    out.push_back(run_to_backend(client_packet(i, tcp_flags)));
  return out;
}

std::map<IpAddr, int> DatapathTest::histogram(const std::vector<IpAddr>& to) {
  std::map<IpAddr, int> h;
  for (const IpAddr& a : to) h[a]++;
  return h;
}

IpAddr DatapathTest::run_to_backend(const Bytes& frame) const {
  TestRunOutput out = run(frame);
  EXPECT_EQ(out.action, XDP_TX);
  EXPECT_EQ(out.frame.size(), frame.size());
  if (out.action != XDP_TX || out.frame.size() != frame.size()) return IpAddr{};
  EXPECT_TRUE(std::equal(frame.begin() + 12, frame.end(), out.frame.begin() + 12))
      << "DSR changed more than the MACs";
  auto parsed = parse_frame(out.frame);
  EXPECT_TRUE(parsed && parsed->src == kIfaceMac);
  auto be = parsed ? backend_with_mac(parsed->dst) : std::nullopt;
  EXPECT_TRUE(be.has_value()) << "sent to a MAC that is no backend's";
  return be ? be->addr : IpAddr{};
}

}  // namespace xlb::test
