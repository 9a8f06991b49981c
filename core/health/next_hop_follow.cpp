#include "health/next_hop_follow.hpp"

#include "state/next_hops.hpp"
#include "state/state.hpp"

namespace xlb {

namespace {

// Events come in bursts (a flush, a link flap): one round per burst.
constexpr auto kMinGap = std::chrono::milliseconds(100);
constexpr auto kProbeEvery = std::chrono::seconds(1);
constexpr auto kStaleProbeEvery = std::chrono::seconds(10);

std::string mac_text(const MacAddr& m) { return m.is_zero() ? "unresolved" : m.str(); }

}  // namespace

void NextHopFollower::open() {
  auto e = NetEvents::open();
  if (!e) {
    log_("next hops: no rtnetlink events (" + e.error().message + "); refreshing every second");
    return;
  }
  events_.emplace(std::move(*e));
}

bool NextHopFollower::step(State& st) {
  if (events_ && events_->drain()) dirty_ = true;
  auto now = HealthClock::now();
  bool probe = now - last_probe_ >= kProbeEvery;
  if (!probe && (!dirty_ || now - last_round_ < kMinGap)) return false;
  RefreshOptions o;
  o.probe_unresolved = probe;
  o.probe_stale = probe && now - last_stale_probe_ >= kStaleProbeEvery;
  last_round_ = now;
  dirty_ = false;
  if (probe) last_probe_ = now;
  if (o.probe_stale) last_stale_probe_ = now;
  auto r = refresh_next_hops(st, o);
  if (!r) {
    log_("next hops: refresh failed (will retry): " + r.error().message);
    dirty_ = true;
    return false;
  }
  for (const auto& c : r->changes)
    log_("Next hop of backend " + c.ref.backend.str() + " of service " + c.ref.service + ": " +
         mac_text(c.before) + " -> " + mac_text(c.after));
  return !r->changes.empty();
}

}  // namespace xlb
