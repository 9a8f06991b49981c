// Reading the operator's input files (`-f FILE`, includes, `import ipvsadm
// FILE`) with a size limit: a directory or an endless file (/dev/zero) is an
// error at once, not an empty ruleset or memory exhausted.
#pragma once

#include <cstddef>
#include <string>

#include "base/result.hpp"

namespace xlb {

// Far above any real ruleset (a 10,000-service file is about 1 MiB).
inline constexpr size_t kMaxInputBytes = 16 << 20;

// The whole file; "-" reads stdin. Errors name the file as the operator gave it.
Result<std::string> read_input_file(const std::string& path, size_t limit = kMaxInputBytes);

}  // namespace xlb
