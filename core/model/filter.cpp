#include "model/filter.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "model/capacities.hpp"
#include "model/cbor_view.hpp"

namespace xlb {

std::string to_string(FilterProto p) {
  switch (p) {
    case FilterProto::icmp:
      return "icmp";
    case FilterProto::tcp:
      return "tcp";
    case FilterProto::udp:
      return "udp";
    default:
      return "any";
  }
}

std::optional<FilterProto> parse_filter_proto(std::string_view s) {
  if (s == "icmp") return FilterProto::icmp;
  if (s == "tcp") return FilterProto::tcp;
  if (s == "udp") return FilterProto::udp;
  return std::nullopt;
}

namespace {

std::string src_word(const FilterRule& r) { return r.src ? r.src->str() : "any"; }

bool is_per_length(uint8_t per) { return per == 32 || per == 24 || per == 64 || per == 48; }
bool is_v6_length(uint8_t per) { return per == 64 || per == 48; }

}  // namespace

std::string FilterRule::words() const {
  if (kind == FilterKind::drop) {
    std::string w = "drop src " + src_word(*this);
    if (dst) w += " dst " + Endpoint{*dst, port}.str();
    if (proto != FilterProto::any) w += " proto " + to_string(proto);
    return w;
  }
  std::string w = "limit src " + src_word(*this) + " rate " + std::to_string(rate) +
                  (unit == RateUnit::pps ? " pps" : " bps");
  if (burst) w += " burst " + std::to_string(burst);
  if (per != kDefaultPer) w += " per /" + std::to_string(per);
  return w;
}

bool FilterRule::same_key(const FilterRule& o) const {
  if (kind != o.kind || src != o.src) return false;
  return kind == FilterKind::limit || (dst == o.dst && port == o.port && proto == o.proto);
}

uint64_t FilterRule::effective_burst() const {
  if (burst) return burst;
  const uint64_t least = unit == RateUnit::pps ? 1 : 1500 * 8;
  return std::max(rate / 10, least);
}

uint8_t FilterRule::per_len(bool v6) const {
  if (per == kDefaultPer) return v6 ? 64 : 32;
  if (is_v6_length(per) == v6) return per;
  static const std::map<uint8_t, uint8_t> kCounterpart{{32, 64}, {24, 48}, {64, 32}, {48, 24}};
  return kCounterpart.at(per);
}

namespace {

Status validate_drop(const FilterRule& r) {
  if (!r.src) return usage_error("a drop rule needs a source prefix (0.0.0.0/0 for every source)");
  if (r.dst && r.dst->family != r.src->addr.family)
    return usage_error("filter " + r.words() + ": source and destination of different families");
  if (r.port && !r.dst) return usage_error("a port needs a destination (dst VIP:PORT)");
  if (r.port && r.proto == FilterProto::icmp)
    return usage_error("filter " + r.words() + ": ICMP has no ports");
  return {};
}

Status validate_limit_source_only(const FilterRule& r) {
  if (r.dst || r.port || r.proto != FilterProto::any)
    return usage_error("a limit rule has no dst or proto");
  return {};
}

Status validate_limit(const FilterRule& r) {
  if (r.rate == 0 || r.rate > XLB_FILTER_MAX_RATE)
    return usage_error("a rate must be 1 to " + std::to_string(XLB_FILTER_MAX_RATE));
  if (r.burst > XLB_FILTER_MAX_RATE)
    return usage_error("a burst must be at most " + std::to_string(XLB_FILTER_MAX_RATE));
  if (r.per == kDefaultPer) return validate_limit_source_only(r);
  if (!is_per_length(r.per)) return usage_error("per must be /32, /24, /64 or /48");
  if (r.dst || r.port || r.proto != FilterProto::any)
    return usage_error("a limit rule has no dst or proto");
  if (!r.src) return {};
  const bool v6 = r.src->addr.is_v6();
  if (is_v6_length(r.per) != v6)
    return usage_error("filter " + r.words() + ": per /" + std::to_string(r.per) +
                       " is not a length of the source's family (" +
                       (v6 ? "/64 or /48" : "/32 or /24") + ")");
  if (r.per < r.src->len)
    return usage_error("filter " + r.words() + ": per /" + std::to_string(r.per) +
                       " is shorter than the source prefix");
  return {};
}

// The datapath's source prefixes: `any` is 0.0.0.0/0 and ::/0.
std::vector<IpPrefix> source_prefixes(const FilterRule& r) {
  if (r.src) return {*r.src};
  IpPrefix v6;
  v6.addr.family = XLB_AF_INET6;
  return {IpPrefix{}, v6};
}

}  // namespace

Status validate_filter(const FilterRule& r) {
  return r.kind == FilterKind::drop ? validate_drop(r) : validate_limit(r);
}

namespace {

struct PrefixLess {
  bool operator()(const IpPrefix& a, const IpPrefix& b) const {
    return std::tie(a.addr, a.len) < std::tie(b.addr, b.len);
  }
};

// Per source prefix: how many drops, whether a limit.
Status validate_prefixes(const std::vector<FilterRule>& rules) {
  std::map<IpPrefix, std::pair<size_t, size_t>, PrefixLess> per_prefix;
  for (const auto& r : rules)
    for (const auto& p : source_prefixes(r)) {
      auto& [drops, limits] = per_prefix[p];
      if (r.kind == FilterKind::drop && ++drops > XLB_FILTER_DROPS)
        return usage_error("at most " + std::to_string(XLB_FILTER_DROPS) +
                           " drop rules per source prefix (" + p.str() + ")");
      if (r.kind == FilterKind::limit && ++limits > 1)
        return usage_error("source " + p.str() + " has a limit already (limit src any is " +
                           "0.0.0.0/0 and ::/0)");
    }
  size_t v4 = 0, v6 = 0;
  for (const auto& [p, n] : per_prefix) (p.addr.is_v6() ? v6 : v4)++;
  if (std::max(v4, v6) > XLB_FILTER_MAX_PREFIXES)
    return usage_error("at most " + std::to_string(XLB_FILTER_MAX_PREFIXES) +
                       " filtered source prefixes per family");
  return {};
}

}  // namespace

Status validate_filters(const std::vector<FilterRule>& rules) {
  std::set<uint32_t> ids;
  for (size_t i = 0; i < rules.size(); i++) {
    XLB_TRY(validate_filter(rules[i]));
    if (rules[i].id >= XLB_FILTER_MAX_RULES || !ids.insert(rules[i].id).second)
      return usage_error("filter " + rules[i].words() + ": bad or repeated rule id");
    for (size_t k = 0; k < i; k++)
      if (rules[k].same_key(rules[i]))
        return usage_error("filter " + rules[i].words() + " exists already");
  }
  return validate_prefixes(rules);
}

namespace {

// Whether the datapath entry of p holds rule o (`any` is both /0).
bool has_source(const FilterRule& o, const IpPrefix& p) { return o.src ? *o.src == p : p.len == 0; }

// Room for r in its source prefixes' entries; linear, so that a file of
// many rules is not quadratic twice (the prefix count is left to validate).
Status check_room(const std::vector<FilterRule>& rules, const FilterRule& r) {
  for (const auto& p : source_prefixes(r)) {
    size_t drops = r.kind == FilterKind::drop, limits = r.kind == FilterKind::limit;
    for (const auto& o : rules) {
      if (!has_source(o, p)) continue;
      (o.kind == FilterKind::drop ? drops : limits)++;
    }
    if (drops > XLB_FILTER_DROPS)
      return usage_error("at most " + std::to_string(XLB_FILTER_DROPS) +
                         " drop rules per source prefix (" + p.str() + ")");
    if (limits > 1)
      return usage_error("source " + p.str() + " has a limit already (limit src any is " +
                         "0.0.0.0/0 and ::/0)");
  }
  return {};
}

}  // namespace

Status filter_add(std::vector<FilterRule>& rules, FilterRule r) {
  XLB_TRY(validate_filter(r));
  for (const auto& o : rules)
    if (o.same_key(r)) return runtime_error("filter " + o.words() + " exists already");
  XLB_TRY(check_room(rules, r));
  std::vector<bool> used(rules.size() + 1);  // the lowest free id is at most rules.size()
  for (const auto& o : rules)
    if (o.id < used.size()) used[o.id] = true;
  const auto id = static_cast<uint32_t>(std::find(used.begin(), used.end(), false) - used.begin());
  if (id >= XLB_FILTER_MAX_RULES) return capacity_exhausted("filter rules", XLB_FILTER_MAX_RULES);
  r.id = id;
  rules.push_back(r);
  return {};
}

Status filter_del(std::vector<FilterRule>& rules, const FilterRule& r, uint32_t index) {
  if (index > 0) {
    if (index > rules.size())
      return runtime_error("no filter rule " + std::to_string(index) + " (there are " +
                           std::to_string(rules.size()) + ")");
    rules.erase(rules.begin() + index - 1);
    return {};
  }
  auto it = std::find_if(rules.begin(), rules.end(), [&](const auto& o) { return o.same_key(r); });
  if (it == rules.end()) return runtime_error("no filter rule " + r.words());
  rules.erase(it);
  return {};
}

}  // namespace xlb

namespace xlb {

using nlohmann::json;

json filter_json(const FilterRule& r) {
  json j{{"id", r.id}, {"kind", r.kind == FilterKind::drop ? "drop" : "limit"}};
  j["src"] = r.src ? r.src->str() : "any";
  if (r.kind == FilterKind::drop) {
    if (r.dst) j["dst"] = r.dst->str();
    j["port"] = r.port;
    j["proto"] = to_string(r.proto);
    return j;
  }
  j["rate"] = r.rate;
  j["unit"] = r.unit == RateUnit::pps ? "pps" : "bps";
  j["burst"] = r.burst;
  j["per"] = r.per;
  return j;
}

namespace {

template <class J>
Error bad_rule(const J& j) {
  return runtime_error("store: bad filter rule " + j.dump());
}

template <class J>
Status drop_from(const J& j, FilterRule& r) {
  if (j.contains("dst")) {
    auto a = IpAddr::parse(j.at("dst").template get<std::string>());
    if (!a) return bad_rule(j);
    r.dst = *a;
  }
  r.port = j.at("port").template get<uint16_t>();
  const auto proto = j.at("proto").template get<std::string>();
  auto p = parse_filter_proto(proto);
  if (!p && proto != "any") return bad_rule(j);
  r.proto = p.value_or(FilterProto::any);
  return {};
}

template <class J>
Status limit_from(const J& j, FilterRule& r) {
  r.rate = j.at("rate").template get<uint64_t>();
  const auto unit = j.at("unit").template get<std::string>();
  if (unit != "pps" && unit != "bps") return bad_rule(j);
  r.unit = unit == "pps" ? RateUnit::pps : RateUnit::bps;
  r.burst = j.at("burst").template get<uint64_t>();
  r.per = j.at("per").template get<uint8_t>();
  return {};
}

}  // namespace

template <class J>
Result<FilterRule> filter_from_stored(const J& j) {
  FilterRule r;
  const auto kind = j.at("kind").template get<std::string>();
  if (kind != "drop" && kind != "limit") return bad_rule(j);
  r.kind = kind == "drop" ? FilterKind::drop : FilterKind::limit;
  r.id = j.at("id").template get<uint32_t>();
  const auto src = j.at("src").template get<std::string>();
  if (src != "any") {
    auto p = IpPrefix::parse(src);
    if (!p) return bad_rule(j);
    r.src = *p;
  }
  XLB_TRY(r.kind == FilterKind::drop ? drop_from(j, r) : limit_from(j, r));
  return r;
}

template Result<FilterRule> filter_from_stored(const json& j);
template Result<FilterRule> filter_from_stored(const CborView& j);

}  // namespace xlb
