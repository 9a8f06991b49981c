// Loading the embedded datapath object. The first load creates and pins
// every map under the pin path; later loads reuse the pinned maps, so a new
// program instance (another interface, an upgrade) shares all the state.
#pragma once

#include <cstdint>
#include <string>

#include "base/addr.hpp"
#include "base/result.hpp"
#include "model/capacities.hpp"

namespace xlb {

struct LoadOptions {
  std::string pin_path;
  Capacities caps;    // used only when the maps do not exist yet
  MacAddr iface_mac;  // the source MAC of frames this instance sends
};

// An XDP program instance loaded from the embedded object. Owns its fd.
class LoadedProgram {
 public:
  LoadedProgram() = default;
  explicit LoadedProgram(int fd) : fd_(fd) {}
  LoadedProgram(LoadedProgram&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  LoadedProgram& operator=(LoadedProgram&& o) noexcept;
  LoadedProgram(const LoadedProgram&) = delete;
  LoadedProgram& operator=(const LoadedProgram&) = delete;
  ~LoadedProgram();
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

// Loads the program, creating and pinning the maps if needed (and mounting
// bpffs at the pin path's parent when nothing is mounted there).
Result<LoadedProgram> load_datapath(const LoadOptions& opts);

// The same balancer with the capture step around it (xlb_xdp_capture), for
// `xlb capture` to swap in while it runs.
Result<LoadedProgram> load_capture_datapath(const LoadOptions& opts);

// A libbpf failure (err: an errno, negative or not, or a LIBBPF_ERRNO__*
// code), with a hint when it is a missing privilege.
Error libbpf_error(const char* what, int err);

// The health-check port's programs, from one load of the same object (so
// they share the pinned maps): xlb_hc for xlbhc1, the XDP_PASS program
// xlbhc0 needs to receive frames redirected into its peer, and the tc
// program on xlbhc0's egress that lets only the host's own packets in.
struct HcPrograms {
  LoadedProgram probe;  // xlb_hc
  LoadedProgram host;   // xlb_hc_host
  LoadedProgram guard;  // xlb_hc_guard
};
Result<HcPrograms> load_hc_programs(const LoadOptions& opts);

}  // namespace xlb
