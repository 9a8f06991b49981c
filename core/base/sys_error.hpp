// Errors from system calls: one runtime error that names what failed and
// errno's text.
#pragma once

#include <cerrno>
#include <string>

#include "base/result.hpp"

namespace xlb {

// `WHAT: strerror(err)`; err defaults to the errno of the call that failed.
Error sys_error(const std::string& what, int err = errno);

}  // namespace xlb
