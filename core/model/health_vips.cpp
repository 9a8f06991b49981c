#include "model/health_vips.hpp"

#include <algorithm>
#include <map>

namespace xlb {

std::vector<VipState> vip_states(const Config& c) {
  std::map<IpPrefix, bool> vips;
  for (const auto& s : c.services) {
    auto usable = std::count_if(s.backends.begin(), s.backends.end(),
                                [](const Backend& b) { return b.in_table(); });
    bool met = static_cast<uint32_t>(usable) >= s.need;
    IpPrefix vip = s.vip_len ? IpPrefix{s.vip, s.vip_len} : IpPrefix::host(s.vip);
    auto [it, fresh] = vips.emplace(vip, met);
    if (!fresh) it->second = it->second && met;
  }
  std::vector<VipState> out;
  out.reserve(vips.size());
  for (const auto& [vip, ok] : vips) out.push_back({vip, ok});
  return out;
}

std::vector<IpPrefix> announced_vips(const Config& c) {
  std::vector<IpPrefix> out;
  for (const auto& v : vip_states(c))
    if (v.announced) out.push_back(v.vip);
  return out;
}

}  // namespace xlb
