#include "capture/session.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/sys_error.hpp"
#include "net/netlink.hpp"
#include "state/attach.hpp"
#include "state/loader.hpp"
#include "state/maps.hpp"
#include "state/stages.hpp"

namespace xlb::capture {

namespace {

constexpr const char* kCaptureProgName = "xlb_xdp_capture";

int open_pin(const std::string& pin_path, const char* name) {
  return bpf_obj_get((pin_path + "/" + name).c_str());
}

bool is_capture_program(int prog_fd) {
  bpf_prog_info info{};
  uint32_t len = sizeof info;
  if (bpf_obj_get_info_by_fd(prog_fd, &info, &len) != 0) return false;
  return std::strncmp(info.name, kCaptureProgName, sizeof info.name) == 0;
}

Result<std::vector<Attachment>> chosen(const std::string& pin_path,
                                       const std::optional<std::string>& dev) {
  auto all = list_attachments(pin_path);
  if (!all) return all.error();
  std::vector<Attachment> out;
  for (auto& a : *all)
    if (!a.other_netns && (!dev || a.dev == *dev)) out.push_back(a);
  if (dev && out.empty())
    return usage_error("xlb is not attached to " + *dev + " in this network namespace");
  if (out.empty()) return usage_error("xlb is not attached to any interface here");
  return out;
}

uint64_t sum_lost(int note_fd) {
  const int cpus = libbpf_num_possible_cpus();
  if (note_fd < 0 || cpus <= 0) return 0;
  std::vector<xlb_capture_note> per_cpu(static_cast<size_t>(cpus));
  uint32_t zero = 0;
  if (bpf_map_lookup_elem(note_fd, &zero, per_cpu.data()) != 0) return 0;
  uint64_t n = 0;
  for (const auto& c : per_cpu) n += c.lost;
  return n;
}

}  // namespace

Result<Session> Session::start(const std::string& pin_path, const std::optional<std::string>& dev,
                               Sink sink) {
  auto targets = chosen(pin_path, dev);
  if (!targets) return targets.error();
  Session s;
  s.pin_path_ = pin_path;
  s.sink_ = std::make_unique<Sink>(std::move(sink));
  int ring_fd = open_pin(pin_path, "xlb_capture_ring");
  s.note_fd_ = open_pin(pin_path, "xlb_capture_note");
  if (ring_fd < 0 || s.note_fd_ < 0)
    return runtime_error("the datapath in " + pin_path +
                         " has no capture ring: attach again to upgrade it");
  s.rb_ = ring_buffer__new(ring_fd, &Session::on_event, s.sink_.get(), nullptr);
  close(ring_fd);
  if (!s.rb_) return sys_error("cannot read the capture ring", errno);
  s.lost_at_start_ = sum_lost(s.note_fd_);
  auto maps = Maps::open(pin_path);
  if (!maps) return maps.error();
  for (const auto& a : *targets) XLB_TRY(s.swap_in(a, maps->caps()));
  return s;
}

Status Session::swap_in(const Attachment& a, const Capacities& caps) {
  Swap w;
  w.ifindex = a.ifindex;
  w.plain_fd = balancer_program(pin_path_, a.ifindex);
  swaps_.push_back(w);  // closed by stop() whatever happens below
  if (w.plain_fd < 0)
    return runtime_error("xlb on " + a.dev + " has no balancer in its stage slot: attach it again");
  if (is_capture_program(w.plain_fd))
    return usage_error("a capture is already running on " + a.dev +
                       " (if it was killed, `xlb interface attach " + a.dev +
                       "` puts the plain balancer back)");
  auto link = link_by_index(a.ifindex);
  if (!link) return link.error();
  auto prog = load_capture_datapath({pin_path_, caps, link->mac});
  if (!prog) return prog.error();
  swaps_.back().capture_fd = dup(prog->fd());
  // The stage slot and, when the interface runs the balancer directly, its
  // link (bpf_link_update): in place, as an upgrade is.
  XLB_TRY(swap_balancer(pin_path_, a.ifindex, prog->fd()));
  ifaces_.push_back({a.dev, a.ifindex});
  return {};
}

uint32_t Session::prog_id(int fd) {
  bpf_prog_info info{};
  uint32_t len = sizeof info;
  return fd >= 0 && bpf_obj_get_info_by_fd(fd, &info, &len) == 0 ? info.id : 0;
}

Status Session::stop() {
  Status result;
  for (auto& w : swaps_) {
    // Only where the capture balancer is still there: an attach meanwhile
    // put a new plain one in, which stays.
    int now = w.capture_fd >= 0 ? balancer_program(pin_path_, w.ifindex) : -1;
    if (now >= 0 && prog_id(now) == prog_id(w.capture_fd)) {
      Status s = swap_balancer(pin_path_, w.ifindex, w.plain_fd);
      if (!s && result) result = s;
    }
    for (int fd : {now, w.plain_fd, w.capture_fd})
      if (fd >= 0) close(fd);
  }
  swaps_.clear();
  return result;
}

Result<uint64_t> Session::poll(int timeout_ms) {
  int n = ring_buffer__poll(rb_, timeout_ms);
  if (n < 0 && n != -EINTR) return sys_error("read the capture ring", -n);
  return static_cast<uint64_t>(n < 0 ? 0 : n);
}

uint64_t Session::lost() const { return sum_lost(note_fd_) - lost_at_start_; }

int Session::on_event(void* ctx, void* data, size_t size) {
  if (size < sizeof(xlb_capture_event)) return 0;
  (*static_cast<Sink*>(ctx))(*static_cast<const xlb_capture_event*>(data));
  return 0;
}

Session::Session(Session&& o) noexcept
    : pin_path_(std::move(o.pin_path_)),
      ifaces_(std::move(o.ifaces_)),
      swaps_(std::move(o.swaps_)),
      sink_(std::move(o.sink_)),
      rb_(o.rb_),
      note_fd_(o.note_fd_),
      lost_at_start_(o.lost_at_start_) {
  o.swaps_.clear();
  o.rb_ = nullptr;
  o.note_fd_ = -1;
}

Session::~Session() {
  (void)stop();  // a destructor cannot report; stop() is called first by users
  if (rb_) ring_buffer__free(rb_);
  if (note_fd_ >= 0) close(note_fd_);
}

}  // namespace xlb::capture
