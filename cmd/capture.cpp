// capture: packets as they arrived, with what xlb did with them. The
// capture balancer runs while this command does (capture/session.hpp); each
// event is summarized, named (service and backend from the flow entry it
// made or used), filtered, and written as pcapng (-w) or as a text line.
#include <linux/bpf.h>
#include <netinet/in.h>

#include <atomic>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <map>
#include <memory>

#include "base/sys_error.hpp"
#include "capture/frame.hpp"
#include "capture/pcapng.hpp"
#include "capture/session.hpp"
#include "handlers.hpp"
#include "state/flows.hpp"
#include "state/stats.hpp"
#include "stop_signals.hpp"

namespace xlb::cli {

namespace {

const char* verdict_name(uint32_t v) {
  switch (v) {
    case XDP_ABORTED:
      return "aborted";
    case XDP_DROP:
      return "drop";
    case XDP_PASS:
      return "pass";
    case XDP_TX:
      return "tx";
    case XDP_REDIRECT:
      return "redirect";
    default:
      return "?";
  }
}

// A drop reason as operators name it: the stats counter without "drop_".
std::string reason_name(uint32_t r) {
  std::string n = r ? global_counter_name(static_cast<int>(r)) : "";
  return n.rfind("drop_", 0) == 0 ? n.substr(5) : n;
}

// Any counter past the actions may be a drop's reason (hc_chatter is one
// without the prefix); the error lists the drop_* ones.
Status check_reason(const std::string& r) {
  std::string known;
  for (int i = XLB_G_ABORTED + 1; i < XLB_G_MAX; i++) {
    std::string n = reason_name(static_cast<uint32_t>(i));
    if (n == r) return {};
    if (n != global_counter_name(i)) known += (known.empty() ? "" : ", ") + n;
  }
  return usage_error("unknown drop reason '" + r + "' (one of: " + known + ")");
}

// What one captured frame was and what xlb did with it.
struct Decision {
  std::optional<capture::FrameSummary> frame;
  std::string verdict, reason, service, backend;
  std::optional<IpAddr> backend_addr;
};

// The service and backend, from the flow entry the frame made or used.
void name_flow(const Maps& m, const Config& cfg, Decision& d) {
  const auto& f = *d.frame;
  if (f.proto != IPPROTO_TCP && f.proto != IPPROTO_UDP) return;
  const Proto p = f.proto == IPPROTO_TCP ? Proto::tcp : Proto::udp;
  auto e = lookup_flow(m, flow_key(p, f.src, f.dst));
  if (!e || !*e) return;
  for (const auto& s : cfg.services) {
    if (s.id != (*e)->flow.service_id) continue;
    d.service = s.name;
    for (const auto& b : s.backends)
      if (b.id == (*e)->flow.backend_id) d.backend_addr = b.addr;
  }
  if (d.backend_addr) d.backend = d.backend_addr->str();
}

Decision decide(const xlb_capture_event& ev, const Maps& m, const Config& cfg) {
  Decision d;
  d.frame = capture::summarize(std::span(ev.data, std::min<uint32_t>(ev.cap_len, sizeof ev.data)));
  d.verdict = verdict_name(ev.verdict);
  if (ev.verdict == XDP_DROP) d.reason = reason_name(ev.reason);
  if (d.frame && ev.verdict != XDP_PASS) name_flow(m, cfg, d);
  return d;
}

bool wanted(const cmd::Capture& c, const Service* svc, const Decision& d) {
  if (c.verdict && *c.verdict != d.verdict) return false;
  if (c.reason && *c.reason != d.reason) return false;
  if (svc && svc->name != d.service) return false;
  return !c.backend || (d.backend_addr && *d.backend_addr == *c.backend);
}

// "verdict tx, service web, backend 198.51.100.21" (the pcapng comment).
std::string describe(const Decision& d) {
  std::string s = "xlb: verdict " + d.verdict;
  if (!d.reason.empty()) s += ", reason " + d.reason;
  if (!d.service.empty()) s += ", service " + d.service;
  if (!d.backend.empty()) s += ", backend " + d.backend;
  return s;
}

int64_t realtime_minus_monotonic() {
  timespec real{}, mono{};
  clock_gettime(CLOCK_REALTIME, &real);
  clock_gettime(CLOCK_MONOTONIC, &mono);
  return (real.tv_sec - mono.tv_sec) * 1000000000LL + (real.tv_nsec - mono.tv_nsec);
}

std::string clock_text(uint64_t unix_ns) {
  const time_t secs = static_cast<time_t>(unix_ns / 1000000000);
  tm t{};
  localtime_r(&secs, &t);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02d:%02d:%02d.%06u", t.tm_hour, t.tm_min, t.tm_sec,
                static_cast<unsigned>(unix_ns % 1000000000 / 1000));
  return buf;
}

// Where the matching packets go: a pcapng file, or lines on stdout.
class Sink {
 public:
  Sink(const cmd::Capture& c, Context& ctx) : c_(c), ctx_(ctx) {}
  Status open(const std::vector<capture::CapturedInterface>& ifaces);
  void put(const xlb_capture_event& ev, const Decision& d, uint64_t unix_ns);
  Status close();

 private:
  void write(const pcapng::Bytes& b) { std::fwrite(b.data(), 1, b.size(), file_); }
  const cmd::Capture& c_;
  Context& ctx_;
  std::FILE* file_ = nullptr;
  std::map<int, uint32_t> iface_index_;
  std::map<int, std::string> iface_name_;
};

Status Sink::open(const std::vector<capture::CapturedInterface>& ifaces) {
  for (const auto& i : ifaces) {
    iface_index_[i.ifindex] = static_cast<uint32_t>(iface_index_.size());
    iface_name_[i.ifindex] = i.dev;
  }
  if (!c_.file) return {};
  file_ = *c_.file == "-" ? stdout : std::fopen(c_.file->c_str(), "wb");
  if (!file_) return sys_error("cannot write " + *c_.file);
  write(pcapng::section_header(std::string("xlb ") + XLB_VERSION));
  for (const auto& i : ifaces) write(pcapng::interface_description(i.dev, c_.snaplen));
  return {};
}

void Sink::put(const xlb_capture_event& ev, const Decision& d, uint64_t unix_ns) {
  const uint32_t len = std::min<uint32_t>({ev.cap_len, c_.snaplen, sizeof ev.data});
  if (file_) {
    write(pcapng::enhanced_packet({iface_index_[static_cast<int>(ev.ifindex)], unix_ns, ev.wire_len,
                                   std::span(ev.data, len), describe(d)}));
    return;
  }
  const std::string what = d.frame ? d.frame->str() : "length " + std::to_string(ev.wire_len);
  if (ctx_.out.json_mode()) {
    json j = {{"time_ns", unix_ns},
              {"dev", iface_name_[static_cast<int>(ev.ifindex)]},
              {"packet", what},
              {"length", ev.wire_len},
              {"verdict", d.verdict}};
    for (const auto& [k, v] :
         {std::pair{"reason", d.reason}, {"service", d.service}, {"backend", d.backend}})
      if (!v.empty()) j[k] = v;
    ctx_.out.text(j.dump() + "\n");
    return;
  }
  ctx_.out.text(clock_text(unix_ns) + " " + iface_name_[static_cast<int>(ev.ifindex)] + " " + what +
                ": " + describe(d).substr(5) + "\n");
}

Status Sink::close() {
  if (!file_) return {};
  const bool ok = std::fflush(file_) == 0;
  if (file_ != stdout) std::fclose(file_);
  file_ = nullptr;
  if (!ok) return sys_error("cannot write " + *c_.file);
  return {};
}

}  // namespace

Status handle(const cmd::Capture& c, Context& ctx) {
  if (c.reason) XLB_TRY(check_reason(*c.reason));
  auto st = open_state(ctx);
  if (!st) return st.error();
  auto cfg = st->read();
  if (!cfg) return cfg.error();
  const Service* svc = nullptr;
  if (c.service) {
    auto s = find_service(*cfg, *c.service);
    if (!s) return s.error();
    svc = *s;
  }
  Sink sink(c, ctx);
  const int64_t to_unix = realtime_minus_monotonic();
  uint64_t captured = 0;
  stop_requested() = false;
  // Before the swap: a signal from here on ends the loop below, which puts
  // the plain balancer back, instead of killing us with the capture one in.
  stop_on_signals();
  auto session =
      capture::Session::start(ctx.opts.pin_path, c.dev, [&](const xlb_capture_event& ev) {
        if (stop_requested()) return;
        Decision d = decide(ev, st->maps(), *cfg);
        if (!wanted(c, svc, d)) return;
        sink.put(ev, d, ev.ts_ns + static_cast<uint64_t>(to_unix));
        if (++captured == c.count) stop_requested() = true;
      });
  if (!session) return session.error();
  Status opened = sink.open(session->interfaces());
  while (opened && !stop_requested()) {
    auto n = session->poll(100);
    if (!n) return n.error();
  }
  Status stopped = session->stop();
  if (!opened) return opened;
  XLB_TRY(sink.close());
  std::cerr << "xlb: " << captured << " packet" << (captured == 1 ? "" : "s") << " captured";
  if (const uint64_t lost = session->lost()) std::cerr << ", " << lost << " lost (ring full)";
  std::cerr << "\n";
  return stopped;
}

}  // namespace xlb::cli
