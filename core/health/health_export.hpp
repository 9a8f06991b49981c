// Route export of the announced VIPs, for BIRD:
//  (a) an include file `define XLB_VIPS = [ ... ]; define XLB_VIPS6 = [ ... ];`
//      written atomically, then `birdc configure` with its reply checked;
//  (b) blackhole /32 and /128 routes in a kernel routing table, with their
//      own protocol number, that BIRD's kernel protocol learns (`learn`
//      imports every route not written by BIRD itself, blackholes included;
//      a blackhole in a table no rule uses never forwards a packet here).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/addr.hpp"
#include "base/result.hpp"

namespace xlb {

// The include file's text: both sets, always defined (empty: `[ ]`).
std::string bird_include_text(const std::vector<IpPrefix>& vips);

// The mode of the files xlb-healthd writes (metrics and VIP lists are not
// secret; node_exporter and BIRD may run as other users).
inline constexpr unsigned kExportFileMode = 0644;

// Writes `text` to `path` atomically: a temporary file of its own in the
// same directory (O_CREAT|O_EXCL|O_NOFOLLOW, random name, mode
// kExportFileMode), fsync, rename over `path` (a symbolic link there is
// replaced, never followed), fsync of the directory. Refuses a directory
// writable by others unless it is sticky.
Status write_file_atomic(const std::string& path, const std::string& text);
// The file's content ("" when it does not exist).
std::string read_file(const std::string& path);

// Runs `birdc -s SOCKET configure` (birdc: the program, found in PATH when
// it has no slash) and checks that BIRD answered "Reconfigured" or
// "Reconfiguration in progress"; otherwise the error holds BIRD's reply.
Status bird_configure(const std::string& birdc, const std::string& socket);

// Makes the routes of `table` with protocol `proto` exactly one blackhole
// route per VIP of `vips`, a host route or a prefix VIP's prefix (others of
// that protocol are removed).
Status kernel_routes_sync(uint32_t table, uint8_t proto, const std::vector<IpPrefix>& vips);

}  // namespace xlb
