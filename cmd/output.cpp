#include "output.hpp"

#include <cstdio>
#include <iostream>

namespace xlb::cli {

void Output::print(const json& model, const std::function<std::string(const json&)>& text) const {
  if (json_)
    std::cout << model.dump(pretty_ ? 2 : -1) << "\n";
  else
    std::cout << text(model);
  std::cout.flush();
}

void Output::text(const std::string& s) const {
  std::cout << s;
  std::cout.flush();
}

void Output::error(const Error& e) const {
  if (json_)
    std::cout << json{{"error", e.message}}.dump(pretty_ ? 2 : -1) << "\n";
  else
    std::cerr << "xlb: error: " << e.message << "\n";
}

void Output::error_text(const std::string& rendered) const { std::cerr << rendered; }

std::string human_count(uint64_t v) {
  char buf[32];
  if (v < 100000000ull) {
    std::snprintf(buf, sizeof(buf), "%9llu", static_cast<unsigned long long>(v));
    return buf;
  }
  const char* units = "KMGTPE";
  int u = 0;
  v /= 1000;
  while (v >= 100000000ull && u < 5) v /= 1000, u++;
  std::snprintf(buf, sizeof(buf), "%8llu%c", static_cast<unsigned long long>(v), units[u]);
  return buf;
}

std::string pad(const std::string& s, size_t w) {
  return s.size() >= w ? s : s + std::string(w - s.size(), ' ');
}

std::string rpad(const std::string& s, size_t w) {
  return s.size() >= w ? s : std::string(w - s.size(), ' ') + s;
}

}  // namespace xlb::cli
