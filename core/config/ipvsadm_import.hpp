// `xlb import ipvsadm`: translate the rules an IPVS director saved with
// `ipvsadm-save -n` (Debian's /etc/ipvsadm.rules) into an xlb ruleset.
//
//   -A -t 192.0.2.10:80 -s mh -b mh-fallback,mh-port
//   -a -t 192.0.2.10:80 -r 10.0.0.1:80 -g -w 100
// becomes
//   service add tcp-192.0.2.10-80 tcp 192.0.2.10:80 sched mh
//   backend add tcp-192.0.2.10-80 10.0.0.1 weight 100
//
// Service names are derived from PROTO-VIP-PORT. The output starts with
// `flush ruleset` (applying it twice gives the same). -i becomes the
// service's `forward ipip` (gre, or gue [port P], by --tun-type); xlb
// forwards per service, so a real server whose method differs from the
// first one's is skipped. What xlb cannot express the same way (fwmark
// services, other schedulers, persistence timeouts, NAT, thresholds) is
// translated to the nearest equivalent or skipped, never written in a form
// `xlb -c` refuses (a direct-routing server of the other address family; a
// tunnel service with no outer source address is written as comments), and
// listed in the warnings, one "FILE:LINE: message" each, which the
// ruleset also carries as comments. Malformed input is a usage error with
// its position.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/addr.hpp"
#include "base/result.hpp"
#include "base/source.hpp"

namespace xlb {

struct ImportResult {
  std::string ruleset;  // header and warning comments, `flush ruleset`, the commands
  std::vector<std::string> warnings;
};

// ipvsadm sends a tunnel from the address the host routes to the real
// server from; xlb needs it as `set source4|source6`. tunnel_source answers
// for one real server (cmd/ asks the kernel: `ip route get`); without an
// answer the family's tunnel services are written as comments.
struct ImportOptions {
  std::function<std::optional<IpAddr>(const IpAddr& real_server)> tunnel_source;
};

// name is what the header comment and the positions show ("-" for stdin).
// On error, *err (when not null) is filled for render_error.
Result<ImportResult> import_ipvsadm(std::string_view text, const std::string& name,
                                    SourceError* err = nullptr, const ImportOptions& opt = {});

}  // namespace xlb
