// Status: the outcome of an operation that can fail in an expected way.
//
// A Status is either OK or carries a canonical code and a one-line message meant for a person
// ("price.csv: line 12: unterminated quote"), and optionally a reason: a stable upper-case tag
// for programs ("ROW_LIMIT", "INVALID_ENCODING") that the API and job rows pass on, so nothing
// has to parse the message. Most failures in DataStory are expected — a bad
// CSV, a missing file — so they travel as values into exit codes, job rows and API answers.
// Exceptions never cross our own APIs. Status is a cheap value type; it is not thread-safe to
// mutate one instance from two threads, as with any value.
#ifndef DATASTORY_STATUS_H_
#define DATASTORY_STATUS_H_

#include <string>
#include <string_view>
#include <utility>

namespace datastory {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kUnauthenticated,
  kPermissionDenied,
  kFailedPrecondition,
  kResourceExhausted,
  kUnavailable,
  kInternal,
  kDataLoss,
  kCancelled,      // the caller asked the work to stop
  kUnimplemented,  // this backend does not offer it
};

// The canonical name of a code, e.g. "InvalidArgument".
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg) {
    return {StatusCode::kInvalidArgument, std::move(msg)};
  }
  static Status NotFound(std::string msg) { return {StatusCode::kNotFound, std::move(msg)}; }
  static Status AlreadyExists(std::string msg) {
    return {StatusCode::kAlreadyExists, std::move(msg)};
  }
  static Status Unauthenticated(std::string msg) {
    return {StatusCode::kUnauthenticated, std::move(msg)};
  }
  static Status PermissionDenied(std::string msg) {
    return {StatusCode::kPermissionDenied, std::move(msg)};
  }
  static Status FailedPrecondition(std::string msg) {
    return {StatusCode::kFailedPrecondition, std::move(msg)};
  }
  static Status ResourceExhausted(std::string msg) {
    return {StatusCode::kResourceExhausted, std::move(msg)};
  }
  static Status Unavailable(std::string msg) { return {StatusCode::kUnavailable, std::move(msg)}; }
  static Status Internal(std::string msg) { return {StatusCode::kInternal, std::move(msg)}; }
  static Status DataLoss(std::string msg) { return {StatusCode::kDataLoss, std::move(msg)}; }
  static Status Cancelled(std::string msg) { return {StatusCode::kCancelled, std::move(msg)}; }
  static Status Unimplemented(std::string msg) {
    return {StatusCode::kUnimplemented, std::move(msg)};
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // The stable tag, or empty.
  const std::string& reason() const { return reason_; }
  // A copy tagged with `reason`; OK stays OK.
  Status WithReason(std::string reason) const;

  // "InvalidArgument: <message>", or "OK".
  std::string ToString() const;

  // A copy with "prefix: " put before the message; OK stays OK.
  Status WithPrefix(std::string_view prefix) const;
  // A copy with "; " and `more` after the message; OK stays OK.
  Status WithSuffix(std::string_view more) const;

 private:
  Status(StatusCode code, std::string msg) : code_(code), message_(std::move(msg)) {}

  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::string reason_;
};

}  // namespace datastory

// Returns from the enclosing function when `expr` yields a non-OK Status.
#define DS_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::datastory::Status ds_status_ = (expr); \
    if (!ds_status_.ok()) return ds_status_; \
  } while (0)

#endif  // DATASTORY_STATUS_H_
