// Result<T>: the error policy of core/. Functions that can fail return a
// value or an Error; nothing in core/ prints or exits. The kind of an error
// decides the exit status a program gives it (see cmd/).
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace xlb {

enum class ErrorKind {
  usage = 2,    // the request is malformed: bad word, bad value, bad option
  runtime = 1,  // well formed, but refused: no such or already existing service
                // or backend, nothing attached, a system call failed (xlb(8))
};

struct Error {
  ErrorKind kind = ErrorKind::runtime;
  std::string message;
  // Position of the offending token in its source, when known (1-based).
  int token = -1;
};

inline Error usage_error(std::string msg, int token = -1) {
  return Error{ErrorKind::usage, std::move(msg), token};
}
inline Error runtime_error(std::string msg) { return Error{ErrorKind::runtime, std::move(msg)}; }

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : err_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return err_; }

 private:
  Error err_;
  bool ok_ = true;
};

using Status = Result<void>;

// Propagate an error from an expression returning a Result.
#define XLB_TRY(expr)                           \
  do {                                          \
    auto xlb_try_r_ = (expr);                   \
    if (!xlb_try_r_) return xlb_try_r_.error(); \
  } while (0)

}  // namespace xlb
