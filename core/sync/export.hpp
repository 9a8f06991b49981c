// The datapath side of flow sync: the export switch (xlb_sync_ctl), the
// events (xlb_sync_ring) and syncd's counters (xlb_sync_stats), all pinned
// beside the other maps.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "base/result.hpp"
#include "sync/wire.hpp"

struct ring_buffer;

namespace xlb::sync {

// Turns the datapath's export on (with its refresh interval) or off.
Status set_export(const std::string& pin_path, bool on, uint32_t interval);

// The event as a record (age 0: the datapath just saw the flow).
FlowRecord record_of(const xlb_sync_event& e);

// Reads events from the pinned ring buffer.
class EventReader {
 public:
  using Sink = std::function<void(const FlowRecord&)>;
  static Result<EventReader> open(const std::string& pin_path, Sink sink);
  EventReader(EventReader&&) noexcept;
  EventReader& operator=(EventReader&&) = delete;
  EventReader(const EventReader&) = delete;
  EventReader& operator=(const EventReader&) = delete;
  ~EventReader();
  int epoll_fd() const;  // readable when events wait
  // Hands every waiting event to the sink; how many.
  uint64_t drain();

 private:
  EventReader() = default;
  static int on_event(void* ctx, void* data, size_t size);
  ring_buffer* rb_ = nullptr;
  int map_fd_ = -1;
  std::unique_ptr<Sink> sink_;
};

// syncd's counters in the pinned xlb_sync_stats (XLB_SYNC_C_*).
class SyncCounters {
 public:
  static Result<SyncCounters> open(const std::string& pin_path);
  SyncCounters(SyncCounters&&) noexcept;
  SyncCounters& operator=(SyncCounters&&) = delete;
  SyncCounters(const SyncCounters&) = delete;
  SyncCounters& operator=(const SyncCounters&) = delete;
  ~SyncCounters();
  void add(xlb_sync_counter c, uint64_t n = 1) { local_[c] += n; }
  // Writes the counts into the map (cheap to call once per loop turn).
  void flush();

 private:
  SyncCounters() = default;
  int fd_ = -1;
  std::array<uint64_t, XLB_SYNC_C_MAX> local_{};
  std::array<uint64_t, XLB_SYNC_C_MAX> written_{};
};

}  // namespace xlb::sync
