// The filter stage (xlb filter): rules that drop or police packets by source
// prefix before the balancer sees them. They see every packet that arrives
// on an attached interface, VIP or not: an operator protecting the host
// expects a drop list to protect the host too (see xlb(8)).
//
// Precedence: the longest source prefix that has any rule decides alone; its
// drop rules first (in order), then its limit. See bpf/filter_abi.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "base/addr.hpp"
#include "base/result.hpp"
#include "filter_abi.h"

namespace xlb {

enum class FilterKind : uint8_t { drop, limit };
// icmp matches ICMPv6 for IPv6 sources.
enum class FilterProto : uint8_t { any = 0, icmp = 1, tcp = 6, udp = 17 };
enum class RateUnit : uint8_t { pps, bps };

std::string to_string(FilterProto p);
std::optional<FilterProto> parse_filter_proto(std::string_view s);

constexpr uint8_t kDefaultPer = 0;  // a host: /32, or /64 for IPv6

struct FilterRule {
  FilterKind kind = FilterKind::drop;
  std::optional<IpPrefix> src;  // none (limit src any): every source of both families
  std::optional<IpAddr> dst;    // drop: narrowed to this destination
  uint16_t port = 0;            // with dst: its port (0: every port)
  FilterProto proto = FilterProto::any;
  uint64_t rate = 0;  // limit: per second, in packets (pps) or bits (bps)
  RateUnit unit = RateUnit::pps;
  uint64_t burst = 0;         // limit: bucket depth in the rate's unit (0: the default)
  uint8_t per = kDefaultPer;  // limit: bucket key length as given (32, 24, 64, 48; 0: a host)
  // Assigned by filter_add; stable while the rule exists (counters).
  uint32_t id = XLB_FILTER_NO_RULE;

  bool operator==(const FilterRule&) const = default;

  // The words after `filter add`, as the grammar reads them back.
  std::string words() const;
  // Same rule for filter del and duplicates: kind, source, and for drops
  // destination, port and protocol.
  bool same_key(const FilterRule& o) const;
  // The bucket depth the datapath uses: burst, else a tenth of a second's
  // rate (at least one packet, or 1500 bytes in bits).
  uint64_t effective_burst() const;
  // The bucket key length for sources of a family: per when it is that
  // family's, else its counterpart (/32 <-> /64, /24 <-> /48); a host
  // (/32, /64) when per was not given.
  uint8_t per_len(bool v6) const;
};

// The checks of one rule (what the grammar cannot see on its own).
Status validate_filter(const FilterRule& r);
// Rules: each valid, no two with the same key, at most XLB_FILTER_DROPS
// drops per source prefix, ids unique and below XLB_FILTER_MAX_RULES.
Status validate_filters(const std::vector<FilterRule>& rules);

// Edits (pure, like model/ops.hpp). Rules keep the order they were added in.
Status filter_add(std::vector<FilterRule>& rules, FilterRule r);
// Deletes the rule with r's key, or (index > 0) the index-th as listed.
Status filter_del(std::vector<FilterRule>& rules, const FilterRule& r, uint32_t index);

nlohmann::json filter_json(const FilterRule& r);
// From the stored form: nlohmann::json or CborView (model/cbor_view.hpp).
template <class J>
Result<FilterRule> filter_from_stored(const J& j);

}  // namespace xlb
