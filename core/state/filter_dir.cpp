#include "state/filter_dir.hpp"

#include <algorithm>
#include <cstddef>
#include <map>

namespace xlb {

namespace {

constexpr uint32_t kBlockBits = 16;

// For each block, the index (in `prefixes`, sorted by length) of the longest
// prefix of /16 or shorter that covers it; -1 for none.
std::vector<int> covering(const std::vector<FilterPrefix4>& prefixes) {
  std::vector<int> cover(XLB_FILTER_DIR4_BLOCKS, -1);
  for (size_t k = 0; k < prefixes.size(); k++) {
    const FilterPrefix4& p = prefixes[k];
    if (p.len > kBlockBits) continue;
    // A /0 spans every block; a /16 one. Same-length prefixes do not overlap,
    // and longer ones come later, so the last writer is the longest.
    const uint32_t first = p.len ? p.addr >> kBlockBits : 0;
    const uint32_t count = 1u << (kBlockBits - p.len);
    std::fill_n(cover.begin() + first, count, static_cast<int>(k));
  }
  return cover;
}

constexpr uint32_t kWordsPerBlock = 256 / 64;  // /24s of a /16, 64 a word

// The clear /24s: every /24 of a walking block no short prefix covers, but
// for those a longer prefix intersects.
std::vector<uint64_t> clear_24s(const std::vector<FilterPrefix4>& prefixes,
                                const std::vector<int>& cover,
                                const std::vector<uint32_t>& blocks) {
  std::vector<uint64_t> clear(XLB_FILTER_CLEAR4_WORDS, 0);
  const auto open = [&](uint32_t b) { return blocks[b] == XLB_FILTER_DIR_WALK && cover[b] < 0; };
  for (uint32_t b = 0; b < XLB_FILTER_DIR4_BLOCKS; b++)
    if (open(b))
      std::fill_n(clear.begin() + static_cast<std::ptrdiff_t>(b) * kWordsPerBlock, kWordsPerBlock,
                  ~uint64_t{0});
  for (const auto& p : prefixes) {
    if (p.len <= kBlockBits || !open(p.addr >> kBlockBits)) continue;
    const uint32_t first = p.addr >> 8;
    const uint32_t count = p.len >= 24 ? 1 : 1u << (24 - p.len);
    for (uint32_t n = first; n < first + count; n++) clear[n >> 6] &= ~(uint64_t{1} << (n & 63));
  }
  return clear;
}

}  // namespace

FilterDir build_filter_dir(std::vector<FilterPrefix4> prefixes) {
  std::stable_sort(prefixes.begin(), prefixes.end(),
                   [](const auto& a, const auto& b) { return a.len < b.len; });
  const std::vector<int> cover = covering(prefixes);
  std::vector<bool> walk(XLB_FILTER_DIR4_BLOCKS, false);
  for (const auto& p : prefixes)
    if (p.len > kBlockBits) walk[p.addr >> kBlockBits] = true;
  FilterDir dir;
  dir.blocks.assign(XLB_FILTER_DIR4_BLOCKS, XLB_FILTER_DIR_PASS);
  std::map<int, uint32_t> short_index;  // prefix -> index in dir.shorts
  for (uint32_t b = 0; b < XLB_FILTER_DIR4_BLOCKS; b++) {
    if (walk[b]) {
      dir.blocks[b] = XLB_FILTER_DIR_WALK;
    } else if (cover[b] >= 0) {
      auto [it, fresh] =
          short_index.try_emplace(cover[b], static_cast<uint32_t>(dir.shorts.size()));
      if (fresh && dir.shorts.size() == XLB_FILTER_SHORT4) {
        short_index.erase(it);
        dir.blocks[b] = XLB_FILTER_DIR_WALK;
        continue;
      }
      if (fresh) dir.shorts.push_back(prefixes[cover[b]].entry);
      dir.blocks[b] = XLB_FILTER_DIR_SHORT + it->second;
    }
  }
  dir.clear = clear_24s(prefixes, cover, dir.blocks);
  return dir;
}

}  // namespace xlb
