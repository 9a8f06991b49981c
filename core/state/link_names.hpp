// Where an attached link's interface lives, recorded at attach time.
//
// Pins are shared through bpffs, but an ifindex means something only in the
// network namespace the datapath was attached in: read from another one,
// it names another interface or none. So each attach records the
// interface's name and the namespace's identity (the inode of its nsfs
// file) next to the link pin, as an empty directory whose name carries
// them: bpffs holds no regular files, and a directory holds no reference
// to the link (a detach by a binary that does not know it leaves only a
// stale empty directory, ignored once its link pin is gone).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/result.hpp"

namespace xlb {

struct LinkPlace {
  std::string dev;     // the interface name when attached
  uint64_t netns = 0;  // inode of the namespace's nsfs file
};

// The caller's network namespace (0 when /proc cannot say).
uint64_t current_netns();

// Replaces what is recorded for pin_path/link_IFINDEX.
Status record_link_place(const std::string& pin_path, int ifindex, const LinkPlace& place);
void forget_link_place(const std::string& pin_path, int ifindex);
std::optional<LinkPlace> recorded_link_place(const std::string& pin_path, int ifindex);

}  // namespace xlb
