// Attaching the datapath to interfaces through pinned bpf_links, so the
// attachment outlives the command. Attaching where a link already exists
// swaps the program in place (bpf_link_update): maps and flows stay.
#pragma once

#include <string>
#include <vector>

#include "base/result.hpp"
#include "state/loader.hpp"

namespace xlb {

struct AttachRequest {
  std::string pin_path;
  std::string dev;
  std::string mode;  // "", "native", "generic"
  Capacities caps;   // used only when the maps do not exist yet
};

struct Attachment {
  std::string dev;  // "" when the interface is gone from this namespace
  int ifindex = 0;
  std::string mode;  // "native", "generic" or "unknown"
  uint32_t prog_id = 0;
  uint32_t link_id = 0;
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
