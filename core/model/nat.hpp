// Health-check NAT addressing. Every (service, backend) pair has one NAT
// address: the base of the range for the VIP's family plus the backend's
// stable id plus one. xlb-healthd sends a probe to that address; the
// datapath turns it into a packet for the VIP sent to that backend.
#pragma once

#include <optional>

#include "base/addr.hpp"
#include "model/model.hpp"

namespace xlb {

// Used when `set nat4` / `set nat6` were never given. 198.18.0.0/15 is
// reserved for benchmarking (RFC 2544) and never routed on the Internet;
// the IPv6 range is a unique local prefix spelling "xlb".
inline constexpr const char* kDefaultNat4 = "198.18.0.0/16";
inline constexpr const char* kDefaultNat6 = "fd00:786c:6200::/64";

// The NAT range of a family in these settings (the default when unset).
IpPrefix nat_range(const Settings& s, int family);

// The pair's NAT address; nullopt when the backend has no id yet (not
// committed) or its id does not fit in the range.
std::optional<IpAddr> nat_address(const Settings& s, const Service& svc, const Backend& be);

// The last address of a family's range, which no backend gets: the host's
// own address on the hc port, the source of its probes.
IpAddr nat_host_address(const Settings& s, int family);

// The NAT ranges hold no VIP and no backend: their traffic is routed into
// the hc port. (Part of validate(); the capacity check is the transaction's.)
Status validate_nat_ranges(const Config& c);

// The backend id a NAT address stands for; nullopt when the address is
// outside the range of its family.
std::optional<uint32_t> nat_backend_id(const Settings& s, const IpAddr& nat);

}  // namespace xlb
