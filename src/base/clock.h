// Clock: where time comes from, as a port, so tests can fix it (sessions expiring, leases
// running out, a month turning) without sleeping. Times are milliseconds since the Unix epoch.
#ifndef DATASTORY_BASE_CLOCK_H_
#define DATASTORY_BASE_CLOCK_H_

#include <atomic>
#include <chrono>
#include <cstdint>

namespace datastory {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t NowMillis() const = 0;
};

// The system's wall clock. Thread-safe.
class SystemClock final : public Clock {
 public:
  int64_t NowMillis() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

// A clock that stands still until told to move. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t now_millis) : now_(now_millis) {}
  int64_t NowMillis() const override { return now_.load(); }
  void Set(int64_t now_millis) { now_.store(now_millis); }
  void Advance(int64_t millis) { now_.fetch_add(millis); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace datastory

#endif  // DATASTORY_BASE_CLOCK_H_
