// A command line as the words the parser takes, for the grammar tests.
#pragma once

#include <sstream>
#include <string>
#include <vector>

namespace xlb::test {

inline std::vector<std::string> split(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> w;
  for (std::string s; in >> s;) w.push_back(s);
  return w;
}

}  // namespace xlb::test
