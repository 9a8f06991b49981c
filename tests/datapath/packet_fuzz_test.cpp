// Packet fuzzing of the real program (issue 20): random frames, valid frames
// and valid frames damaged at random go through BPF_PROG_TEST_RUN, and the
// invariants hold for every one of them:
//   - never XDP_ABORTED;
//   - XDP_PASS leaves the frame byte for byte as it came (a frame to an
//     address that is no VIP is always passed);
//   - XDP_TX (DSR) changes only the Ethernet addresses: from the interface's
//     MAC to a backend's MAC;
//   - a valid frame to a VIP on a service port is sent (XDP_TX), and the same
//     5-tuple always reaches the same backend.
// XLB_PACKET_FUZZ_FRAMES sets the number of frames (`make fuzz` runs more).
#include <linux/bpf.h>

#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <tuple>

#include "datapath_fixture.hpp"

namespace xlb::test {
namespace {

struct Target {
  const char* vip;
  uint8_t proto;
  uint16_t port;
  bool v6;
};

constexpr Target kTargets[] = {{"192.0.2.10", kProtoTcp, 80, false},
                               {"192.0.2.10", kProtoUdp, 53, false},
                               {"2001:db8::10", kProtoTcp, 443, true},
                               {"2001:db8::10", kProtoUdp, 53, true}};

size_t frames_to_run() {
  const char* env = std::getenv("XLB_PACKET_FUZZ_FRAMES");
  return env && *env ? std::strtoull(env, nullptr, 10) : 300000;
}

class PacketFuzz : public DatapathTest {
 protected:
  void SetUp() override {
    DatapathTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    configure([](Config& c) -> Status {
      const char* names[] = {"web4", "dns4", "web6", "dns6"};
      uint32_t mac = 1;
      for (size_t t = 0; t < std::size(kTargets); t++) {
        const Target& tg = kTargets[t];
        Service s = make_service(names[t], tg.proto == kProtoTcp ? Proto::tcp : Proto::udp, tg.vip,
                                 tg.port);
        for (int b = 1; b <= 5; b++) {
          const std::string addr = tg.v6 ? "fd00::" + std::to_string(t * 10 + b)
                                         : "10.0." + std::to_string(t) + "." + std::to_string(b);
          s.backends.push_back(make_backend(addr.c_str(), backend_mac(mac++)));
        }
        XLB_TRY(service_add(c, std::move(s)));
      }
      return {};
    });
    for (const Service& s : config().services)
      for (const Backend& b : s.backends) backend_macs_.insert(b.mac);
  }

  // A valid frame of 5-tuple number `flow` (a pool small enough to repeat).
  Bytes vip_frame(uint32_t flow, std::mt19937_64& rng) const {
    const Target& tg = kTargets[flow % std::size(kTargets)];
    const IpAddr client = client_addr(flow / 64, tg.v6);
    PacketSpec p = make_packet("198.51.100.1", tg.vip, tg.proto, 1024 + flow % 64, tg.port,
                               rng() % 2 ? kTcpSyn : kTcpAck);
    p.ip.src = client;
    p.l4.payload = Bytes(rng() % 64, static_cast<uint8_t>(rng()));
    return frame(p);
  }

  // A valid frame to an address that is no VIP (and not the interface's).
  Bytes other_frame(std::mt19937_64& rng) const {
    const bool v6 = rng() % 2;
    IpAddr dst = v6 ? ip("2001:db8:ffff::") : ip("203.0.113.0");
    dst.bytes[v6 ? 15 : 3] = static_cast<uint8_t>(rng());
    PacketSpec p =
        make_packet(v6 ? "2001:db8:c000::1" : "198.51.100.1", v6 ? "2001:db8::1" : "192.0.2.1",
                    rng() % 2 ? kProtoTcp : kProtoUdp, rng() % 65536, rng() % 65536);
    p.ip.dst = dst;
    return frame(p);
  }

  static Bytes mutate(Bytes f, std::mt19937_64& rng) {
    const int edits = 1 + rng() % 4;
    for (int e = 0; e < edits; e++) {
      const size_t at = rng() % f.size();
      switch (rng() % 4) {
        case 0:
          f[at] ^= static_cast<uint8_t>(1u << (rng() % 8));
          break;
        case 1:
          f[at] = static_cast<uint8_t>(rng());
          break;
        case 2:
          f.resize(std::max<size_t>(14, at));
          break;
        default:
          f.insert(f.begin() + at, rng() % 16 + 1, static_cast<uint8_t>(rng()));
      }
    }
    return f;
  }

  static Bytes random_frame(std::mt19937_64& rng) {
    Bytes f(14 + rng() % 200);
    for (auto& b : f) b = static_cast<uint8_t>(rng());
    // Often an IP ethertype, so the parser gets past the first header.
    const uint16_t types[] = {0x0800, 0x86dd, 0x8100, 0x88a8};
    if (rng() % 4 != 0) {
      const uint16_t t = types[rng() % 4];
      f[12] = t >> 8;
      f[13] = t & 0xff;
    }
    return f;
  }

  // Checks the invariants every frame must keep.
  TestRunOutput check_frame(const Bytes& in, const char* kind) {
    auto r = test_run(prog_fd(), in);
    if (!r) {
      ADD_FAILURE() << kind << ": test run failed: " << r.error().message;
      return TestRunOutput{XDP_ABORTED, {}};
    }
    const TestRunOutput& out = *r;
    if (out.action == XDP_ABORTED) ADD_FAILURE() << kind << ": XDP_ABORTED";
    if (out.action == XDP_PASS && out.frame != in) ADD_FAILURE() << kind << ": passed but changed";
    if (out.action == XDP_TX) check_tx(in, out.frame, kind);
    counts_[out.action]++;
    return out;
  }

  void check_tx(const Bytes& in, const Bytes& out, const char* kind) {
    if (out.size() != in.size() || !std::equal(in.begin() + 12, in.end(), out.begin() + 12)) {
      ADD_FAILURE() << kind << ": XDP_TX changed more than the Ethernet addresses";
      return;
    }
    auto parsed = parse_frame(out);
    if (!parsed || parsed->src != kIfaceMac || !backend_macs_.count(parsed->dst))
      ADD_FAILURE() << kind << ": XDP_TX to a MAC that is no backend's";
  }

  // A run that breaks its invariants stops at the first frame that does,
  // rather than printing a million failures.
  bool failed() const { return HasFailure(); }

  std::set<MacAddr> backend_macs_;
  std::map<uint32_t, size_t> counts_;
};

TEST_F(PacketFuzz, RandomAndMutatedFramesKeepTheInvariants) {
  const size_t n = frames_to_run();
  std::mt19937_64 rng(20);
  std::map<uint32_t, MacAddr> backend_of_flow;
  for (size_t i = 0; i < n && !failed(); i++) {
    const uint32_t flow = rng() % 4096;
    switch (i % 4) {
      case 0: {
        const TestRunOutput out = check_frame(vip_frame(flow, rng), "valid VIP frame");
        if (out.action != XDP_TX) {
          ADD_FAILURE() << "a valid frame to a service was not sent";
          break;
        }
        const MacAddr got = parse_frame(out.frame)->dst;
        auto [it, fresh] = backend_of_flow.emplace(flow, got);
        if (!fresh && it->second != got) ADD_FAILURE() << "flow " << flow << " changed backend";
        break;
      }
      case 1:
        if (check_frame(other_frame(rng), "frame to no VIP").action != XDP_PASS)
          ADD_FAILURE() << "a frame to no VIP was not passed";
        break;
      case 2:
        check_frame(mutate(vip_frame(flow, rng), rng), "mutated VIP frame");
        break;
      default:
        check_frame(random_frame(rng), "random frame");
    }
  }
  std::cout << "[ packets  ] " << n << " frames: " << counts_[XDP_TX] << " XDP_TX, "
            << counts_[XDP_PASS] << " XDP_PASS, " << counts_[XDP_DROP] << " XDP_DROP, "
            << backend_of_flow.size() << " flows checked for stickiness\n";
}

}  // namespace
}  // namespace xlb::test
