// The filter's IPv4 shortcut (bpf/filter_abi.h): for each /16 of the source,
// whether no rule is near (pass), the one short prefix that decides the
// whole block (its entry), or that the trie must be walked. Computed from
// the IPv4 trie's entries, so that it never says other than the trie would.
#pragma once

#include <cstdint>
#include <vector>

#include "filter_abi.h"

namespace xlb {

// One IPv4 prefix of the trie: the address in host order, its length, and
// the entry the trie holds for it.
struct FilterPrefix4 {
  uint32_t addr = 0;
  uint32_t len = 0;
  xlb_filter_entry entry{};
};

struct FilterDir {
  std::vector<uint32_t> blocks;          // XLB_FILTER_DIR4_BLOCKS values
  std::vector<xlb_filter_entry> shorts;  // xlb_filter_short4, by index
  std::vector<uint64_t> clear;           // XLB_FILTER_CLEAR4_WORDS: /24s no prefix touches
};

// Blocks holding a prefix longer than /16 walk; the others take the longest
// prefix covering them, or pass. Beyond XLB_FILTER_SHORT4 distinct short
// prefixes, the blocks of the rest walk. In a walking block that no short
// prefix covers, the /24s no longer prefix intersects are clear.
FilterDir build_filter_dir(std::vector<FilterPrefix4> prefixes);

}  // namespace xlb
