#include "output.hpp"

#include <cstdio>
#include <iostream>

namespace xlb::cli {

namespace {

// Strings in the model are checked text, but an error may quote a word of
// the command line as it came: never let that abort the program.
std::string dump(const json& j, bool pretty) {
  return j.dump(pretty ? 2 : -1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

void Output::print(const json& model, const std::function<std::string(const json&)>& text) const {
  if (json_)
    std::cout << dump(model, pretty_) << "\n";
  else
    std::cout << text(model);
  std::cout.flush();
}

void Output::text(std::string_view s) const {
  std::cout << s;
  std::cout.flush();
}

void Output::error(const Error& e) const {
  if (json_)
    std::cout << dump(json{{"error", e.message}}, pretty_) << "\n";
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

void pad_onto(std::string& out, std::string_view s, size_t w) {
  out += s;
  if (s.size() < w) out.append(w - s.size(), ' ');
}

std::string weight_text(uint32_t weight, bool dynamic, uint32_t effective) {
  std::string w = std::to_string(weight);
  return dynamic ? w + "/" + std::to_string(effective) : w;
}

std::string rpad(const std::string& s, size_t w) {
  return s.size() >= w ? s : std::string(w - s.size(), ' ') + s;
}

}  // namespace xlb::cli
