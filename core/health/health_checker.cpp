#include "health/health_checker.hpp"

#include <random>

#include "model/check.hpp"
#include "model/nat.hpp"

namespace xlb {

namespace {

HealthClock::duration jitter(uint32_t interval_ms) {
  static std::mt19937 rng{std::random_device{}()};
  return std::chrono::milliseconds(rng() % (interval_ms + 1));
}

// Where a probe goes: the pair's NAT address (the datapath delivers it to
// the backend as a packet for the VIP), or the backend itself.
std::optional<Endpoint> probe_target(const Settings& s, const Service& svc, const Backend& b,
                                     const Check& c, bool direct) {
  uint16_t port = check_port(svc, c);
  if (direct) return Endpoint{b.addr, port};
  auto nat = nat_address(s, svc, b);
  if (!nat) return std::nullopt;
  return Endpoint{*nat, port};
}

}  // namespace

void HealthChecker::add_task(const Key& k, const Settings& s, const Service& svc, const Backend& b,
                             size_t i) {
  const Check& c = svc.checks[i];
  auto target = probe_target(s, svc, b, c, opts_.direct);
  if (!target) return;  // no id yet: next round
  Task t{c,
         *target,
         to_string(c.type) + " " + Endpoint{svc.probe_vip(), check_port(svc, c)}.str(),
         CheckFsm(b.health),
         HealthClock::now(),
         false,
         0,
         {},
         std::nullopt};
  if (opts_.jitter) t.due += jitter(c.interval_ms);
  tasks_.emplace(k, std::move(t));
}

void HealthChecker::sync(const Config& cfg) {
  std::map<Key, bool> seen;
  for (const auto& svc : cfg.services)
    for (const auto& b : svc.backends)
      for (size_t i = 0; i < svc.checks.size(); i++) {
        Key k{svc.name, b.addr, i};
        seen[k] = true;
        auto it = tasks_.find(k);
        // A changed check starts afresh.
        if (it != tasks_.end() && !(it->second.check == svc.checks[i]) && !it->second.running)
          tasks_.erase(it);
        if (!tasks_.count(k)) add_task(k, cfg.settings, svc, b, i);
      }
  std::erase_if(tasks_,
                [&](const auto& kv) { return !seen.count(kv.first) && !kv.second.running; });
}

void HealthChecker::start_due(HealthClock::time_point now) {
  std::vector<ProbeDone> done;
  for (auto& [k, t] : tasks_) {
    if (t.running || t.due > now) continue;
    if (loop_.running() >= opts_.max_in_flight) break;
    t.running = true;
    t.started = now;
    t.due = now + std::chrono::milliseconds(t.check.interval_ms);
    uint64_t token = next_token_++;
    in_flight_[token] = k;
    loop_.add(token, Probe::make(t.check, t.target),
              now + std::chrono::milliseconds(t.check.timeout_ms), done);
  }
  for (const auto& d : done) complete(d);
}

void HealthChecker::step(HealthClock::time_point until) {
  start_due(HealthClock::now());
  // With every slot taken, due probes wait for a completion, not spin.
  if (loop_.running() < opts_.max_in_flight) until = std::min(until, next_due());
  for (const auto& d : loop_.wait(until)) complete(d);
}

void HealthChecker::complete(const ProbeDone& d) {
  auto fl = in_flight_.find(d.token);
  if (fl == in_flight_.end()) return;
  const Key k = fl->second;
  in_flight_.erase(fl);
  auto it = tasks_.find(k);
  if (it == tasks_.end()) return;
  Task& t = it->second;
  t.running = false;
  t.probes++;
  if (!d.result.ok) failures_[{std::get<0>(k), std::get<1>(k)}]++;
  if (d.result.ok) record_response(t);
  debug_("probe " + t.what + " via " + t.target.str() + " for backend " + std::get<1>(k).str() +
         " of service " + std::get<0>(k) + ": " + (d.result.ok ? "ok, " : "failed, ") +
         d.result.reason);
  if (t.fsm.feed(d.result.ok, t.check.rise, t.check.fall)) log_transition(k, t, d.result);
}

// An exponentially weighted mean (1/4 for the newest sample): one slow
// probe nudges, a slow trend moves it.
void HealthChecker::record_response(Task& t) {
  const double us =
      std::chrono::duration<double, std::micro>(HealthClock::now() - t.started).count();
  t.response_us = t.response_us ? *t.response_us * 0.75 + us * 0.25 : us;
}

std::optional<double> HealthChecker::response_us(const std::string& service,
                                                 const IpAddr& backend) const {
  double sum = 0;
  int n = 0;
  for (auto it = tasks_.lower_bound(Key{service, backend, 0});
       it != tasks_.end() && std::get<0>(it->first) == service && std::get<1>(it->first) == backend;
       ++it)
    if (it->second.response_us) sum += *it->second.response_us, n++;
  if (n == 0) return std::nullopt;
  return sum / n;
}

void HealthChecker::log_transition(const Key& k, const Task& t, const ProbeResult& r) {
  bool up = t.fsm.state() == Health::up;
  uint32_t n = up ? t.check.rise : t.check.fall;
  log_("Health check for backend " + std::get<1>(k).str() + " of service " + std::get<0>(k) + " (" +
       t.what + ") " + (up ? "passed: " : "failed: ") + r.reason + ", " + std::to_string(n) + "/" +
       std::to_string(n) + " -> " + (up ? "UP" : "DOWN"));
}

bool HealthChecker::all_probed() const {
  for (const auto& [k, t] : tasks_)
    if (t.probes == 0 || t.running) return false;
  return true;
}

HealthClock::time_point HealthChecker::next_due() const {
  auto next = HealthClock::time_point::max();
  for (const auto& [k, t] : tasks_)
    if (!t.running) next = std::min(next, t.due);
  return next;
}

std::vector<HealthChange> HealthChecker::changes(const Config& cfg) const {
  std::vector<HealthChange> out;
  for (const auto& svc : cfg.services)
    for (const auto& b : svc.backends) {
      Health want = Health::up;
      for (size_t i = 0; i < svc.checks.size(); i++) {
        auto it = tasks_.find(Key{svc.name, b.addr, i});
        Health h = it == tasks_.end() ? b.health : it->second.fsm.state();
        if (h == Health::down) want = Health::down;
      }
      if (want != b.health) out.push_back({svc.name, b.addr, want});
    }
  return out;
}

}  // namespace xlb
