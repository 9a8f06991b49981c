// The stages before the balancer (bpf/stages.h): extension programs
// (freplace) attached to each interface's balancer program. The filter
// program replaces xlb_filter_stage while there are filter rules; an
// operator's own XDP program (`interface attach DEV chain FILE.o[:PROG]`)
// replaces xlb_chain_stage. Their links are pinned as filter_IFINDEX and
// chain_IFINDEX beside link_IFINDEX.
//
// An extension is attached to one program: when `interface attach` loads a
// new balancer program, the stages are linked to it before it replaces the
// old one on the interface, so no packet skips them.
#pragma once

#include <optional>
#include <string>

#include "base/result.hpp"

namespace xlb {

// Links made for a balancer program, pinned by pin_stages (fds owned).
class StageLinks {
 public:
  StageLinks() = default;
  StageLinks(StageLinks&& o) noexcept;
  StageLinks& operator=(StageLinks&&) = delete;
  StageLinks(const StageLinks&) = delete;
  StageLinks& operator=(const StageLinks&) = delete;
  ~StageLinks();
  int filter = -1;
  int chain = -1;
  bool drop_chain = false;  // `chain none`: remove the interface's chain
};

// What `interface attach ... chain` asks: nothing (keep the chain there is),
// "none" (remove it), or FILE.o[:PROG].
using ChainRequest = std::optional<std::string>;

// Links the stages to the balancer program prog_fd about to run on
// ifindex: the filter when `filtering`; the chain from the request, else
// the program of the chain already pinned for ifindex.
Result<StageLinks> link_stages(const std::string& pin_path, int ifindex, int prog_fd,
                               bool filtering, const ChainRequest& chain);
// Pins the links, replacing (and so detaching) the previous ones.
Status pin_stages(const std::string& pin_path, int ifindex, StageLinks& links);
// Filter on every attached interface when `filtering`, off everywhere
// otherwise (a commit whose rules went from none to some, or back).
Status sync_filter_stage(const std::string& pin_path, bool filtering);
// Removes the stage links of ifindex (at detach).
void unpin_stages(const std::string& pin_path, int ifindex);
// The chained program's name on ifindex, "" when none.
std::string chain_name(const std::string& pin_path, int ifindex);

}  // namespace xlb
