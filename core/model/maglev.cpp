// Maglev table builder: NSDI 2016, section 3.4, Pseudocode 1, with weights.
//
// Cost: permutations are never materialised; each backend keeps only its
// current position and skip and walks forward on demand, so a build is
// O(M log M) probes for an M-slot table, whatever the number N of backends,
// plus for the turn order O(M) with equal weights, O(M log N) at worst.
#include "model/maglev.hpp"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <queue>
#include <tuple>

#include "xlb_hash.h"

namespace xlb {

namespace {

// a, b < m. Ring sizes are below 2^32: their products fit in 64 bits,
// without the 128-bit division (a library call) each backend add paid.
uint64_t mul_mod(uint64_t a, uint64_t b, uint64_t m) {
  if (m <= UINT32_MAX) return a * b % m;
  return static_cast<uint64_t>(static_cast<unsigned __int128>(a) * b % m);
}

uint64_t pow_mod(uint64_t base, uint64_t exp, uint64_t m) {
  uint64_t result = 1;
  base %= m;
  for (; exp > 0; exp >>= 1) {
    if (exp & 1) result = mul_mod(result, base, m);
    base = mul_mod(base, base, m);
  }
  return result;
}

// Miller-Rabin round: false when `base` proves odd n > base composite.
bool passes_strong_test(uint64_t n, uint64_t base) {
  uint64_t d = n - 1;
  int twos = 0;
  for (; (d & 1) == 0; d >>= 1) twos++;
  uint64_t x = pow_mod(base, d, n);
  if (x == 1 || x == n - 1) return true;
  for (int i = 1; i < twos; i++) {
    x = mul_mod(x, x, n);
    if (x == n - 1) return true;
  }
  return false;
}

// The first twelve primes: as Miller-Rabin bases they decide every n < 2^64
// (they are correct up to 3.3e24), so is_prime() is exact, not probabilistic.
constexpr uint64_t kSmallPrimes[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37};

}  // namespace

bool is_prime(uint64_t n) {
  if (n < 2) return false;
  for (uint64_t p : kSmallPrimes) {
    if (n % p == 0) return n == p;
  }
  if (n < 37ull * 37) return true;  // no prime factor up to 37: none at all
  // Bases 2, 7 and 61 decide every n < 4,759,123,141 (Jaeschke, 1993): ring
  // sizes, checked on every backend add, take three rounds, not twelve.
  if (n < 4759123141ull) {
    for (uint64_t base : {2ull, 7ull, 61ull})
      if (!passes_strong_test(n, base)) return false;
    return true;
  }
  for (uint64_t base : kSmallPrimes) {
    if (!passes_strong_test(n, base)) return false;
  }
  return true;
}

bool maglev_valid_size(uint64_t size) {
  return size >= XLB_RING_MIN && size <= XLB_RING_MAX && is_prime(size);
}

namespace {

// Salts that turn the one configured seed into independent hash seeds: the
// paper's offset and skip, and TurnOrder's head start. Changing a salt
// changes every table, so it would break ECMP between old and new releases.
constexpr uint32_t kOffsetSalt = 0x4d61676cu;     // "Magl"
constexpr uint32_t kSkipSalt = 0x65765369u;       // "evSi"
constexpr uint32_t kHeadStartSalt = 0x48656164u;  // "Head"

// The family goes into the seed so that 1.2.3.4 and 102:304:: (same 16
// bytes once IPv4 is zero-padded) do not share a permutation.
uint32_t address_hash(const IpAddr& addr, uint32_t seed, uint32_t salt) {
  const xlb_addr words = addr.to_abi();
  return xlb_jhash_4words(words.w, seed ^ salt ^ (static_cast<uint32_t>(addr.family) << 24));
}

// A backend's permutation of the slots, walked lazily: slot j of the
// permutation is (offset + j * skip) mod M. M is prime and 0 < skip < M, so
// the walk visits every slot exactly once in M steps.
struct Permutation {
  uint32_t pos;
  uint32_t skip;
};

Permutation permutation_of(const IpAddr& addr, uint32_t size, uint32_t seed) {
  return Permutation{address_hash(addr, seed, kOffsetSalt) % size,
                     address_hash(addr, seed, kSkipSalt) % (size - 1) + 1};
}

// Which slots are taken, one bit each. Probes read these bits rather than
// the table itself, so the memory they wander over is 32 times smaller
// (80 KiB for 655373 slots, where the table is 2.5 MiB).
class TakenSlots {
 public:
  explicit TakenSlots(uint32_t size) : size_(size), words_((size + 63) / 64, 0) {}
  uint32_t size() const { return size_; }
  bool taken(uint32_t slot) const { return (words_[slot >> 6] >> (slot & 63)) & 1; }
  void take(uint32_t slot) { words_[slot >> 6] |= uint64_t{1} << (slot & 63); }

 private:
  uint32_t size_;
  std::vector<uint64_t> words_;
};

// Takes the next slot of `perm` still free; the walk moves past it.
uint32_t claim_next_free(Permutation& perm, TakenSlots& taken) {
  const uint32_t size = taken.size();
  const uint32_t skip = perm.skip;
  uint32_t pos = perm.pos;
  auto advance = [&] {
    pos += skip;
    if (pos >= size) pos -= size;
  };
  while (taken.taken(pos)) advance();
  const uint32_t slot = pos;
  taken.take(slot);
  advance();
  perm.pos = pos;
  return slot;
}

// Backends that take part, in an order that depends only on their content,
// never on the caller's order. An id equal to XLB_NO_BACKEND could not be
// told from an empty slot, so such an entry is left out like a weight of 0.
std::vector<MaglevEntry> canonical_backends(std::span<const MaglevEntry> entries) {
  std::vector<MaglevEntry> out;
  for (const MaglevEntry& e : entries) {
    if (e.weight > 0 && e.id != XLB_NO_BACKEND) out.push_back(e);
  }
  std::sort(out.begin(), out.end(), [](const MaglevEntry& a, const MaglevEntry& b) {
    return std::tie(a.addr, a.weight, a.id) < std::tie(b.addr, b.weight, b.id);
  });
  return out;
}

// Whose turn it is to claim a slot: Katran's weighted round robin with
// staggered starts. Backend i earns weight_i / max_weight of a slot per
// round and claims a slot each time its credit reaches a whole one; it
// starts with a head start h_i in [0, 1), a hash of its address. Its k-th
// claim therefore comes at time (k - h_i) * max_weight / weight_i (in rounds,
// kept in 32.32 fixed point), and turns go in time order, ties by canonical
// index. With equal weights this is the paper's round robin (in the order of
// the head starts). With unequal weights the head starts spread the claims
// of light backends over the rounds instead of bunching them into the same
// round, so they do not all round the same way where the table fills up.
// Katran's plain scheme, for 100 backends of weight 1 beside one of 1000 in
// 16381 slots, gives every light one 14 slots of an exact 14.89 and the heavy
// one 89 slots too many; with head starts the heavy one is a few slots off.
//
// Cost: backends of the largest weight claim once per round in a fixed order
// (time k - h_i: by head start), so they are simply cycled through. Only the
// lighter ones go through a min-heap, O(log N) per turn, which spares
// scanning backends whose turn is far away (N probes per slot).
class TurnOrder {
 public:
  TurnOrder(std::span<const MaglevEntry> backends, uint32_t size, uint32_t seed)
      : backends_(backends), claims_(backends.size(), 0), last_time_(uint64_t{size} << 32) {
    for (const MaglevEntry& b : backends) max_weight_ = std::max(max_weight_, b.weight);
    head_starts_.reserve(backends.size());
    for (const MaglevEntry& b : backends) {
      head_starts_.push_back(address_hash(b.addr, seed, kHeadStartSalt));
    }
    for (uint32_t i = 0; i < backends.size(); i++) {
      if (backends[i].weight == max_weight_) {
        heaviest_.push_back(i);
      } else {
        schedule(i);
      }
    }
    std::sort(heaviest_.begin(), heaviest_.end(),
              [&](uint32_t a, uint32_t b) { return heaviest_turn(a) < heaviest_turn(b); });
  }

  // The backend whose turn is next. There is always one: the heaviest claim
  // once per round and the table is full after `size` rounds at the latest.
  uint32_t next() {
    const uint32_t cycled = heaviest_[cursor_];
    if (heap_.empty() || heaviest_turn(cycled) < heap_.top()) {
      if (++cursor_ == heaviest_.size()) {
        cursor_ = 0;
        round_++;
      }
      return cycled;
    }
    const uint32_t index = heap_.top().index;
    heap_.pop();
    schedule(index);
    return index;
  }

 private:
  struct Turn {
    uint64_t time;  // rounds, 32.32 fixed point; at most size << 32
    uint32_t index;
    auto operator<=>(const Turn&) const = default;  // NOLINT(modernize-use-nullptr)
  };

  // The turn of a heaviest backend in the current round.
  Turn heaviest_turn(uint32_t index) const {
    return Turn{(round_ << 32) - head_starts_[index], index};
  }

  // Pushes the next claim of a lighter backend, unless it comes too late.
  void schedule(uint32_t index) {
    const uint64_t claim = ++claims_[index];
    const auto credit_needed = static_cast<unsigned __int128>((claim << 32) - head_starts_[index]);
    const unsigned __int128 time = credit_needed * max_weight_ / backends_[index].weight;
    if (time <= last_time_) heap_.push(Turn{static_cast<uint64_t>(time), index});
  }

  std::span<const MaglevEntry> backends_;
  std::vector<uint64_t> claims_;
  std::vector<uint32_t> head_starts_;
  uint64_t last_time_;
  uint32_t max_weight_ = 0;
  std::vector<uint32_t> heaviest_;  // in their order within a round
  size_t cursor_ = 0;               // next of heaviest_ to claim
  uint64_t round_ = 1;              // the heaviest are claiming their round_-th slot
  std::priority_queue<Turn, std::vector<Turn>, std::greater<>> heap_;
};

void fill_table(std::span<const MaglevEntry> backends, uint32_t seed,
                std::vector<uint32_t>& table) {
  const auto size = static_cast<uint32_t>(table.size());
  std::vector<Permutation> perms;
  perms.reserve(backends.size());
  for (const MaglevEntry& b : backends) perms.push_back(permutation_of(b.addr, size, seed));
  TurnOrder turns(backends, size, seed);
  TakenSlots taken(size);
  for (uint32_t filled = 0; filled < size; filled++) {
    const uint32_t i = turns.next();
    table[claim_next_free(perms[i], taken)] = backends[i].id;
  }
}

}  // namespace

std::vector<uint32_t> maglev_build(std::span<const MaglevEntry> entries, uint32_t size,
                                   uint32_t seed) {
  if (!maglev_valid_size(size)) return {};
  std::vector<uint32_t> table(size, XLB_NO_BACKEND);
  const std::vector<MaglevEntry> backends = canonical_backends(entries);
  if (!backends.empty()) fill_table(backends, seed, table);
  return table;
}

}  // namespace xlb
