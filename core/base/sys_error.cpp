#include "base/sys_error.hpp"

#include <cstring>

namespace xlb {

Error sys_error(const std::string& what, int err) {
  return runtime_error(what + ": " + std::strerror(err));
}

}  // namespace xlb
