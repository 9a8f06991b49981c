#include "health/health_loop.hpp"

#include <unistd.h>

#include <cerrno>

namespace xlb {

Result<ProbeLoop> ProbeLoop::create() {
  int fd = epoll_create1(EPOLL_CLOEXEC);
  if (fd < 0) return runtime_error(std::string("epoll: ") + errno_reason(errno));
  return ProbeLoop(fd);
}

ProbeLoop::ProbeLoop(ProbeLoop&& o) noexcept : epfd_(o.epfd_), running_(std::move(o.running_)) {
  o.epfd_ = -1;
}

ProbeLoop::~ProbeLoop() {
  running_.clear();
  if (epfd_ >= 0) close(epfd_);
}

void ProbeLoop::add(uint64_t token, std::unique_ptr<Probe> p, HealthClock::time_point deadline,
                    std::vector<ProbeDone>& done) {
  if (auto r = p->start()) {
    done.push_back({token, *r});
    return;
  }
  int fd = p->fd();
  epoll_event ev{};
  ev.events = p->want();
  ev.data.fd = fd;
  if (epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) < 0) {
    done.push_back({token, {false, "epoll: " + errno_reason(errno)}});
    return;
  }
  running_[fd] = Running{token, std::move(p), deadline, ev.events};
}

void ProbeLoop::watch(int fd) {
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = fd;
  epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev);
}

void ProbeLoop::finish(int fd, ProbeResult r, std::vector<ProbeDone>& done) {
  auto it = running_.find(fd);
  epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr);
  done.push_back({it->second.token, std::move(r)});
  running_.erase(it);  // closes the socket
}

void ProbeLoop::step(int fd, uint32_t events, std::vector<ProbeDone>& done) {
  auto it = running_.find(fd);
  if (it == running_.end()) return;
  Running& run = it->second;
  if (auto r = run.probe->on_event(events)) return finish(fd, std::move(*r), done);
  if (run.probe->want() != run.events) {
    epoll_event ev{};
    ev.events = run.events = run.probe->want();
    ev.data.fd = fd;
    epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev);
  }
}

void ProbeLoop::expire(HealthClock::time_point now, std::vector<ProbeDone>& done) {
  std::vector<int> late;
  for (const auto& [fd, run] : running_)
    if (run.deadline <= now) late.push_back(fd);
  for (int fd : late) finish(fd, {false, "timeout"}, done);
}

HealthClock::time_point ProbeLoop::next_deadline(HealthClock::time_point until) const {
  for (const auto& [fd, run] : running_) until = std::min(until, run.deadline);
  return until;
}

std::vector<ProbeDone> ProbeLoop::wait(HealthClock::time_point until) {
  std::vector<ProbeDone> done;
  auto now = HealthClock::now();
  auto end = next_deadline(until);
  int ms = end <= now
               ? 0
               : static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(end - now).count());
  epoll_event evs[64];
  int n = epoll_wait(epfd_, evs, 64, ms);
  for (int i = 0; i < n; i++) step(evs[i].data.fd, evs[i].events, done);
  expire(HealthClock::now(), done);
  return done;
}

}  // namespace xlb
