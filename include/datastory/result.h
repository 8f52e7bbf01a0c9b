// Result<T>: a value of type T, or the Status explaining why there is none.
//
//   Result<Dialect> dialect = DetectDialect(sample, options);
//   if (!dialect.ok()) return dialect.status();
//   Use(*dialect);
//
// Dereferencing a Result that holds an error is a programmer error and aborts.
#ifndef DATASTORY_RESULT_H_
#define DATASTORY_RESULT_H_

#include <cstdio>
#include <cstdlib>
#include <type_traits>
#include <utility>
#include <variant>

#include "datastory/status.h"

namespace datastory {

template <typename T>
class [[nodiscard]] Result {
  static_assert(!std::is_same_v<T, Status>, "Result<Status> makes no sense");

 public:
  Result(const T& value) : state_(value) {}            // NOLINT(google-explicit-constructor)
  Result(T&& value) : state_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Status status) : state_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    if (std::get<Status>(state_).ok()) {
      std::fputs("Result constructed from an OK Status\n", stderr);
      std::abort();
    }
  }

  bool ok() const { return std::holds_alternative<T>(state_); }

  // The error; OK when a value is held.
  Status status() const { return ok() ? Status() : std::get<Status>(state_); }

  T& value() & { return Checked(); }
  const T& value() const& { return const_cast<Result*>(this)->Checked(); }
  T&& value() && { return std::move(Checked()); }

  T& operator*() & { return Checked(); }
  const T& operator*() const& { return const_cast<Result*>(this)->Checked(); }
  T&& operator*() && { return std::move(Checked()); }
  T* operator->() { return &Checked(); }
  const T* operator->() const { return &const_cast<Result*>(this)->Checked(); }

 private:
  T& Checked() {
    if (!ok()) {
      std::fprintf(stderr, "value() of a failed Result: %s\n",
                   std::get<Status>(state_).ToString().c_str());
      std::abort();
    }
    return std::get<T>(state_);
  }

  std::variant<T, Status> state_;
};

}  // namespace datastory

#define DS_CONCAT_INNER_(a, b) a##b
#define DS_CONCAT_(a, b) DS_CONCAT_INNER_(a, b)

// Declares or assigns `lhs` from a Result, returning its Status from the enclosing function on
// failure:  DS_ASSIGN_OR_RETURN(auto table, ReadTable(path));
#define DS_ASSIGN_OR_RETURN(lhs, expr) \
  DS_ASSIGN_OR_RETURN_IMPL_(DS_CONCAT_(ds_result_, __LINE__), lhs, expr)
// NOLINTBEGIN(bugprone-macro-parentheses): `lhs` may be a declaration ("auto x").
#define DS_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)

#endif  // DATASTORY_RESULT_H_
