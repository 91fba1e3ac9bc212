// Result<T>: the value of an operation that can fail because of its environment (a file, SQLite,
// the network), or the Error saying why. Returned, never thrown; see STYLE.md "Errors, three
// channels".
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace pyvc {

struct Error {
  std::string message; // lower-case, no trailing period; says what failed and on what
};

template <typename T> class [[nodiscard]] Result {
public:
  Result(T value) : state_(std::move(value)) {}
  Result(Error error) : state_(std::move(error)) {}

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  T &value() & {
    assert(ok() && "value() of a failed Result");
    return std::get<T>(state_);
  }
  const T &value() const & {
    assert(ok() && "value() of a failed Result");
    return std::get<T>(state_);
  }
  T &&value() && {
    assert(ok() && "value() of a failed Result");
    return std::get<T>(std::move(state_));
  }
  T *operator->() { return &value(); }
  const T *operator->() const { return &value(); }
  T &operator*() & { return value(); }

  const Error &error() const {
    assert(!ok() && "error() of a successful Result");
    return std::get<Error>(state_);
  }

private:
  std::variant<T, Error> state_;
};

// Result<void>: success carries nothing.
template <> class [[nodiscard]] Result<void> {
public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), failed_(true) {}

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const Error &error() const {
    assert(failed_ && "error() of a successful Result");
    return error_;
  }

private:
  Error error_;
  bool failed_ = false;
};

inline Error makeError(std::string message) { return Error{std::move(message)}; }

} // namespace pyvc
