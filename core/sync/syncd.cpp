#include "sync/syncd.hpp"

#include <bpf/bpf.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <optional>
#include <random>

#include "state/state.hpp"
#include "sync/export.hpp"
#include "sync/flow_table.hpp"
#include "sync/replay.hpp"
#include "sync/resolver.hpp"
#include "sync/transport.hpp"

namespace xlb::sync {

namespace {

using Clock = std::chrono::steady_clock;

// A restarted syncd must not reuse sequence numbers its peers have seen:
// they start at the wall clock in microseconds.
uint64_t first_seq() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

uint32_t random_sender() {
  std::random_device rd;
  uint32_t v = 0;
  while (v == 0) v = rd();
  return v;
}

Result<TransportOptions> transport_options(const SyncdOptions& o) {
  TransportOptions t;
  t.port = o.port;
  t.dev = o.dev;
  for (const auto& p : o.peers) {
    auto a = IpAddr::parse(p);
    if (!a) return usage_error("bad peer address '" + p + "'");
    t.peers.push_back(*a);
  }
  if (!o.listen.empty()) {
    t.listen = IpAddr::parse(o.listen);
    if (!t.listen) return usage_error("bad listen address '" + o.listen + "'");
  }
  if (!o.group.empty()) {
    t.group = IpAddr::parse(o.group);
    if (!t.group) return usage_error("bad multicast group '" + o.group + "'");
  }
  return t;
}

class Engine {
 public:
  Engine(const SyncdOptions& o, Key key, State st, Transport net, SyncCounters c, const Log& log)
      : o_(o),
        key_(std::move(key)),
        state_(std::move(st)),
        net_(std::move(net)),
        counters_(std::move(c)),
        log_(log),
        sender_(o.sender ? o.sender : random_sender()),
        seq_(first_seq()) {}

  Status start_events() {
    auto ev = EventReader::open(o_.pin_path, [this](const FlowRecord& r) { queue(r); });
    if (!ev) return ev.error();
    events_.emplace(std::move(*ev));
    return {};
  }

  Status loop(const std::atomic<bool>& stop, const std::function<void()>& alive);

 private:
  Header next(MsgType t) { return Header{t, sender_, seq_++}; }

  void queue(const FlowRecord& r) {
    counters_.add(XLB_SYNC_C_EVENTS);
    pending_.push_back(r);
    if (pending_.size() >= o_.batch) flush();
  }

  void flush() {
    if (pending_.empty()) return;
    auto d = encode(key_, next(MsgType::flows), pending_);
    if (net_.send_all(d)) {
      counters_.add(XLB_SYNC_C_SENT, pending_.size());
      counters_.add(XLB_SYNC_C_DATAGRAMS_SENT);
    }
    pending_.clear();
  }

  void ask_bulk() { (void)net_.send_all(encode(key_, next(MsgType::bulk_request), {})); }

  Status refresh_resolver();
  void serve_bulk(const SockAddr& to);
  void handle(std::span<const uint8_t> d, const SockAddr& from);
  void receive_all();

  const SyncdOptions& o_;
  Key key_;
  State state_;
  Transport net_;
  SyncCounters counters_;
  const Log& log_;
  std::optional<EventReader> events_;
  ReplayGuard replay_;
  std::unique_ptr<Resolver> resolver_;
  uint32_t generation_ = 0;
  uint32_t sender_;
  uint64_t seq_;
  std::vector<FlowRecord> pending_;
  std::vector<uint8_t> buf_;
};

// The model changes with every commit: ids and cookies follow it.
Status Engine::refresh_resolver() {
  xlb_ctl ctl{};
  uint32_t zero = 0;
  if (bpf_map_lookup_elem(state_.maps().ctl(), &zero, &ctl) != 0)
    return runtime_error("read the control word");
  if (resolver_ && ctl.generation == generation_) return {};
  auto c = state_.read();
  if (!c) return c.error();
  resolver_ = std::make_unique<Resolver>(*c);
  generation_ = ctl.generation;
  return {};
}

void Engine::serve_bulk(const SockAddr& to) {
  counters_.add(XLB_SYNC_C_BULK_REQUESTS);
  std::vector<FlowRecord> batch;
  uint64_t n = 0;
  auto send = [&] {
    if (batch.empty()) return;
    if (net_.send_to(to, encode(key_, next(MsgType::flows), batch))) {
      counters_.add(XLB_SYNC_C_SENT, batch.size());
      counters_.add(XLB_SYNC_C_DATAGRAMS_SENT);
    }
    batch.clear();
  };
  Status s = walk_live_flows(state_.maps(), *resolver_, [&](const FlowRecord& r) {
    batch.push_back(r);
    n++;
    if (batch.size() >= o_.batch) send();
  });
  send();
  if (!s) log_("bulk sync: " + s.error().message);
  log_("bulk sync: sent " + std::to_string(n) + " flows");
}

void Engine::handle(std::span<const uint8_t> d, const SockAddr& from) {
  counters_.add(XLB_SYNC_C_DATAGRAMS_RECEIVED);
  Decoded dec = decode(key_, d);
  if (dec.reject == Reject::bad_tag) return counters_.add(XLB_SYNC_C_REJECT_TAG);
  if (dec.reject != Reject::none) return counters_.add(XLB_SYNC_C_REJECT_MALFORMED);
  const Header& h = dec.datagram.header;
  if (h.sender == sender_) return;  // our own, looped back
  if (!replay_.accept(h.sender, h.seq)) return counters_.add(XLB_SYNC_C_REJECT_REPLAY);
  if (h.type == MsgType::bulk_request) return serve_bulk(from);
  const auto& flows = dec.datagram.flows;
  counters_.add(XLB_SYNC_C_RECEIVED, flows.size());
  InstallResult r = install_flows(state_.maps().flows(), *resolver_, flows, monotonic_seconds());
  counters_.add(XLB_SYNC_C_INSTALLED, r.installed);
  counters_.add(XLB_SYNC_C_KEPT_LOCAL, r.kept_local);
  counters_.add(XLB_SYNC_C_UNKNOWN_BACKEND, r.unknown);
}

void Engine::receive_all() {
  SockAddr from;
  // Bounded, so that exports are not starved by a flood of datagrams.
  for (int i = 0; i < 4096 && net_.receive(buf_, from); i++) handle(buf_, from);
}

Status Engine::loop(const std::atomic<bool>& stop, const std::function<void()>& alive) {
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) return runtime_error("epoll_create1 failed");
  epoll_event e{};
  e.events = EPOLLIN;
  for (int fd : {net_.fd(), events_->epoll_fd()}) {
    e.data.fd = fd;
    (void)epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
  }
  const auto start = Clock::now();
  bool asked_again = !o_.bulk_on_start;
  if (o_.bulk_on_start) ask_bulk();
  epoll_event out[4];
  while (!stop) {
    (void)epoll_wait(ep, out, 4, 100);
    Status s = refresh_resolver();
    if (!s) {
      close(ep);
      return s;
    }
    events_->drain();
    flush();
    receive_all();
    counters_.flush();
    // A peer that was not up yet missed the first request.
    if (!asked_again && Clock::now() - start > std::chrono::seconds(2)) {
      ask_bulk();
      asked_again = true;
    }
    alive();
  }
  close(ep);
  return {};
}

}  // namespace

Status run_syncd(const SyncdOptions& o, const std::atomic<bool>& stop, const Log& log,
                 const std::function<void()>& alive) {
  if (o.batch < 1 || o.batch > kMaxBatch)
    return usage_error("--bulk-size must be 1.." + std::to_string(kMaxBatch));
  if (o.interval < 1 || o.interval > 3600) return usage_error("--interval must be 1..3600 s");
  if (o.peers.empty() && o.group.empty()) return usage_error("give --peer or --group and --dev");
  if (!o.group.empty() && o.dev.empty()) return usage_error("--group needs --dev");
  auto key = Key::load(o.key_file);
  if (!key) return key.error();
  auto topts = transport_options(o);
  if (!topts) return topts.error();
  auto st = State::open(o.pin_path);
  if (!st) return st.error();
  auto counters = SyncCounters::open(o.pin_path);
  if (!counters) return counters.error();
  auto net = Transport::open(*topts);
  if (!net) return net.error();
  Engine eng(o, std::move(*key), std::move(*st), std::move(*net), std::move(*counters), log);
  XLB_TRY(eng.start_events());
  XLB_TRY(set_export(o.pin_path, true, o.interval));
  log("flow sync on: port " + std::to_string(o.port) + ", refresh every " +
      std::to_string(o.interval) + " s");
  Status s = eng.loop(stop, alive);
  Status off = set_export(o.pin_path, false, o.interval);
  if (!s) return s;
  return off;
}

}  // namespace xlb::sync
