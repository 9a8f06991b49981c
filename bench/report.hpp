// What every C++ benchmark here reports: a figure is the median of several
// runs, shown with the smallest and largest run, in an aligned table or as
// JSON. Header-only so each benchmark stays one translation unit.
#pragma once

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

namespace xlb::bench {

struct Summary {
  double median = 0, min = 0, max = 0;
};

inline double median_of(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

inline Summary summarize(const std::vector<double>& runs) {
  if (runs.empty()) return {};
  auto [lo, hi] = std::minmax_element(runs.begin(), runs.end());
  return Summary{median_of(runs), *lo, *hi};
}

inline nlohmann::json to_json(const Summary& s) {
  return {{"median", s.median}, {"min", s.min}, {"max", s.max}};
}

// "12.0 [11.0-14.0]": the median and the range of the runs.
inline std::string cell(const Summary& s, int decimals = 1) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%.*f [%.*f-%.*f]", decimals, s.median, decimals, s.min, decimals,
                s.max);
  return buf;
}

// Prints rows of cells with every column as wide as its widest cell; the
// first row is the header, underlined.
inline void print_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size(); i++) {
      if (width.size() <= i) width.push_back(0);
      width[i] = std::max(width[i], r[i].size());
    }
  for (size_t n = 0; n < rows.size(); n++) {
    std::string line;
    for (size_t i = 0; i < rows[n].size(); i++) {
      std::string c = rows[n][i];
      if (i + 1 < rows[n].size()) c.resize(width[i] + 2, ' ');
      line += c;
    }
    std::printf("%s\n", line.c_str());
    if (n == 0) {
      size_t total = 0;
      for (size_t w : width) total += w + 2;
      std::printf("%s\n", std::string(total - 2, '-').c_str());
    }
  }
}

}  // namespace xlb::bench
