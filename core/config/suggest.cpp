#include "config/suggest.hpp"

#include <algorithm>
#include <vector>

namespace xlb {

namespace {

// Damerau-Levenshtein (optimal string alignment): a swap of two letters,
// the commonest typo, costs one.
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); i++) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); j++) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); i++)
    for (size_t j = 1; j <= b.size(); j++) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

}  // namespace

std::string nearest_word(std::string_view word, std::span<const char* const> choices) {
  // Short words are too easily near anything: one edit for up to 4 letters.
  size_t limit = word.size() <= 4 ? 1 : 2;
  std::string best;
  size_t best_d = limit + 1;
  bool tie = false;
  for (const char* ch : choices) {
    size_t d = edit_distance(word, ch);
    if (d < best_d) {
      best = ch, best_d = d, tie = false;
    } else if (d == best_d) {
      tie = true;
    }
  }
  return tie ? "" : best;
}

std::string did_you_mean(std::string_view word, std::span<const char* const> choices) {
  std::string n = nearest_word(word, choices);
  return n.empty() ? "" : " (did you mean '" + n + "'?)";
}

}  // namespace xlb
