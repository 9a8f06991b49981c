// A running capture: the capture balancer (xlb_xdp_capture) swapped in on
// the attached interfaces (into their stage slots, state/stages.hpp), its
// events read from xlb_capture_ring, and the plain balancer put back at the
// end. Only one capture at a time per pin
// path: the ring has one reader.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "model/capacities.hpp"
#include "state/attach.hpp"
#include "xlb_abi.h"

struct ring_buffer;

namespace xlb::capture {

struct CapturedInterface {
  std::string dev;
  int ifindex = 0;
};

class Session {
 public:
  using Sink = std::function<void(const xlb_capture_event&)>;
  // Swaps the capture balancer in on `dev`, or on every attached interface.
  static Result<Session> start(const std::string& pin_path, const std::optional<std::string>& dev,
                               Sink sink);
  Session(Session&&) noexcept;
  Session& operator=(Session&&) = delete;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session();  // stop()

  const std::vector<CapturedInterface>& interfaces() const { return ifaces_; }
  // Waits up to timeout_ms for events and hands each to the sink; how many.
  Result<uint64_t> poll(int timeout_ms);
  // Events the datapath could not write since the start (ring full).
  uint64_t lost() const;
  // Puts the plain balancer back (where nobody replaced it meanwhile).
  Status stop();

 private:
  struct Swap {
    int ifindex = 0;
    int plain_fd = -1, capture_fd = -1;
  };
  Session() = default;
  Status swap_in(const Attachment& a, const Capacities& caps);
  static int on_event(void* ctx, void* data, size_t size);
  static uint32_t prog_id(int fd);
  std::string pin_path_;
  std::vector<CapturedInterface> ifaces_;
  std::vector<Swap> swaps_;
  std::unique_ptr<Sink> sink_;
  ring_buffer* rb_ = nullptr;
  int note_fd_ = -1;
  uint64_t lost_at_start_ = 0;
};

}  // namespace xlb::capture
