#include "sync/export.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <netinet/in.h>
#include <cerrno>
#include <cstring>
#include <memory>

namespace xlb::sync {

namespace {

Error sys(const std::string& what, int err) {
  return runtime_error(what + ": " + std::strerror(err));
}

int open_pin(const std::string& pin_path, const char* name) {
  return bpf_obj_get((pin_path + "/" + name).c_str());
}

}  // namespace

Status set_export(const std::string& pin_path, bool on, uint32_t interval) {
  int fd = open_pin(pin_path, "xlb_sync_ctl");
  if (fd < 0)
    return sys("cannot open " + pin_path + "/xlb_sync_ctl (is the datapath of this xlb attached?)",
               errno);
  xlb_sync_ctl c{on ? uint32_t{XLB_SYNC_EXPORT} : 0u, interval ? interval : 1};
  uint32_t zero = 0;
  int rc = bpf_map_update_elem(fd, &zero, &c, BPF_ANY);
  int err = errno;
  close(fd);
  if (rc != 0) return sys("set the flow export switch", err);
  return {};
}

FlowRecord record_of(const xlb_sync_event& e) {
  FlowRecord r;
  r.key = e.key;
  r.svc_port = ntohs(e.svc_port);
  r.backend = IpAddr::from_abi(e.backend, e.be_family);
  r.flags = e.flags & XLB_FLOW_SYN_ONLY;
  r.age = 0;
  return r;
}

int EventReader::on_event(void* ctx, void* data, size_t size) {
  if (size < sizeof(xlb_sync_event)) return 0;
  xlb_sync_event e{};
  std::memcpy(&e, data, sizeof(e));
  (*static_cast<Sink*>(ctx))(record_of(e));
  return 0;
}

Result<EventReader> EventReader::open(const std::string& pin_path, Sink sink) {
  EventReader r;
  r.sink_ = std::make_unique<Sink>(std::move(sink));
  r.map_fd_ = open_pin(pin_path, "xlb_sync_ring");
  if (r.map_fd_ < 0) return sys("cannot open " + pin_path + "/xlb_sync_ring", errno);
  r.rb_ = ring_buffer__new(r.map_fd_, &EventReader::on_event, r.sink_.get(), nullptr);
  if (!r.rb_) return sys("cannot map the flow sync ring buffer", errno);
  return r;
}

EventReader::EventReader(EventReader&& o) noexcept
    : rb_(o.rb_), map_fd_(o.map_fd_), sink_(std::move(o.sink_)) {
  o.rb_ = nullptr;
  o.map_fd_ = -1;
}

EventReader::~EventReader() {
  if (rb_) ring_buffer__free(rb_);
  if (map_fd_ >= 0) close(map_fd_);
}

int EventReader::epoll_fd() const { return ring_buffer__epoll_fd(rb_); }

uint64_t EventReader::drain() {
  int n = ring_buffer__consume(rb_);
  return n > 0 ? static_cast<uint64_t>(n) : 0;
}

Result<SyncCounters> SyncCounters::open(const std::string& pin_path) {
  SyncCounters c;
  c.fd_ = open_pin(pin_path, "xlb_sync_stats");
  if (c.fd_ < 0) return sys("cannot open " + pin_path + "/xlb_sync_stats", errno);
  // Carry on from what an earlier syncd counted.
  for (uint32_t i = 0; i < XLB_SYNC_C_MAX; i++) {
    uint64_t v = 0;
    if (bpf_map_lookup_elem(c.fd_, &i, &v) == 0) c.local_[i] = c.written_[i] = v;
  }
  return c;
}

SyncCounters::SyncCounters(SyncCounters&& o) noexcept
    : fd_(o.fd_), local_(o.local_), written_(o.written_) {
  o.fd_ = -1;
}

SyncCounters::~SyncCounters() {
  if (fd_ >= 0) close(fd_);
}

void SyncCounters::flush() {
  for (uint32_t i = 0; i < XLB_SYNC_C_MAX; i++) {
    if (local_[i] == written_[i]) continue;
    if (bpf_map_update_elem(fd_, &i, &local_[i], BPF_ANY) == 0) written_[i] = local_[i];
  }
}

}  // namespace xlb::sync
