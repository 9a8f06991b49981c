// Attaching the datapath to interfaces through pinned bpf_links, so the
// attachment outlives the command. Attaching where a link already exists
// swaps the program in place (bpf_link_update): maps and flows stay.
#pragma once

#include <string>
#include <vector>

#include "base/result.hpp"
#include "state/loader.hpp"
#include "state/stages.hpp"

namespace xlb {

struct AttachRequest {
  std::string pin_path;
  std::string dev;
  std::string mode;  // "", "native", "generic"
  // Sizes the maps when they do not exist yet; when they do, a capacity
  // named here must be theirs (the attach is refused otherwise).
  CapacityChoice caps;
  // An operator's program run before xlb (stages.hpp): unset keeps the
  // one linked now, "none" removes it.
  ChainRequest chain;
};

struct Attachment {
  // The interface's name; "" when it is gone. In another network namespace
  // than the caller's (other_netns), the name recorded at attach time.
  std::string dev;
  int ifindex = 0;   // in the namespace the datapath was attached in
  std::string mode;  // "native", "generic" or "unknown"
  uint32_t prog_id = 0;
  uint32_t link_id = 0;
  bool other_netns = false;
  uint64_t netns = 0;  // recorded at attach (inode of its nsfs file); 0: not recorded
};

// Where one program instance is attached: its link is pinned as
// pin_path/link_IFINDEX.
struct LinkTarget {
  std::string pin_path;
  std::string dev;
  std::string mode;  // "", "native", "generic"
};

// Returns true when an existing attachment was upgraded in place.
Result<bool> attach_interface(const AttachRequest& req);
// Attaches `prog` to the target through a pinned link, or replaces the
// program of the link already pinned there (bpf_link_update); xlb-decap
// shares this with the datapath. True when it replaced.
Result<bool> attach_program(const LoadedProgram& prog, const LinkTarget& target, int ifindex);
bool is_attached(const std::string& pin_path, int ifindex);
// Removes the pinned link of dev under pin_path (any program attached
// with attach_program); detach_interface also removes the health-check
// port with the datapath's last interface.
Status detach_link(const std::string& pin_path, const std::string& dev);
Status detach_interface(const std::string& pin_path, const std::string& dev);
Result<std::vector<Attachment>> list_attachments(const std::string& pin_path);

}  // namespace xlb
