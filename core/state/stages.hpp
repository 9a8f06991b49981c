// The stages before the balancer (bpf/xlb_chain.h): an operator's own XDP
// program (`interface attach DEV chain ...`), then xlb's filter, then the
// balancer, run by tail calls through the pinned prog array xlb_stages.
// Each attached interface has a slot in it (pinned map xlb_stage_slots:
// slot -> ifindex). With neither a chain nor filter rules an interface runs
// its balancer directly, as before; otherwise it runs an entry program
// (bpf/entry.bpf.c) that tail-calls the stages. Switching between the two
// is a bpf_link_update of the interface's link: atomic, no detach.
#pragma once

#include <optional>
#include <string>

#include "base/result.hpp"
#include "state/loader.hpp"

namespace xlb {

// What `interface attach ... chain` asks: nothing (keep the chain there is),
// "none" (remove it), a pinned XDP program, or FILE.o[:PROG].
using ChainRequest = std::optional<std::string>;

struct StageRequest {
  std::string pin_path;
  int ifindex = 0;
  int balancer_fd = -1;    // the interface's balancer instance
  bool filtering = false;  // the configuration has filter rules
  ChainRequest chain;
};

// Puts the interface's stages into its slot (allocated on first use) and
// returns the program the interface must run: the entry program when it
// has a chain or filter rules, else (a duplicate of) the balancer. A chain
// or filter that fails to load changes nothing.
Result<LoadedProgram> arrange_stages(const StageRequest& req);
// After a commit whose rules went from none to some (or back): the filter
// stage filled (emptied) in every slot, and each attached interface's link
// switched to the entry program (back to its balancer) as needed.
Status sync_filter_stage(const std::string& pin_path, bool filtering);
// Another balancer program (an upgrade's, a capture's) for an attached
// interface: put into its stage slot, where the entry program finds it at
// once, and the interface's link switched to it (bpf_link_update) when it
// runs the balancer directly. Chain and filter stay as they are.
Status swap_balancer(const std::string& pin_path, int ifindex, int balancer_fd);
// A new fd of the balancer program in ifindex's stage slot (the caller
// closes it), or -1 when the interface has no slot or no balancer there.
int balancer_program(const std::string& pin_path, int ifindex);

// At detach: the slot of ifindex emptied and freed.
void release_stages(const std::string& pin_path, int ifindex);
// The chained program's name on ifindex, "" when none.
std::string chain_name(const std::string& pin_path, int ifindex);

}  // namespace xlb
