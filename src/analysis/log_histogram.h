// LogHistogram: counts of values in log-linear buckets, for quantiles and histograms of columns
// with too many distinct values to count exactly.
//
// A bucket is the sign, exponent and top kSubBits mantissa bits of a double, so each power of
// two is cut into 2^kSubBits equal parts: a bucket's width is at most 1/128 of its values.
// Adding is a shift and an increment; merging adds counts, so the result does not depend on the
// order of the input or of merges.
#ifndef DATASTORY_ANALYSIS_LOG_HISTOGRAM_H_
#define DATASTORY_ANALYSIS_LOG_HISTOGRAM_H_

#include <bit>
#include <cmath>
#include <cstdint>
#include <vector>

namespace datastory::analysis {

class LogHistogram {
 public:
  static constexpr int kSubBits = 7;

  void Add(double x) {
    if (x == 0 || std::isnan(x)) {
      ++zeros_;
      return;
    }
    if (std::isinf(x)) return;  // counted as infinite by the caller
    if (x > 0) {
      Bump(positive_, Key(x));
    } else {
      Bump(negative_, Key(-x));
    }
  }

  void Merge(const LogHistogram& other) {
    zeros_ += other.zeros_;
    MergeSide(positive_, other.positive_);
    MergeSide(negative_, other.negative_);
  }

  int64_t total() const { return zeros_ + positive_.total + negative_.total; }

  // Calls f(lower, upper, count) for every non-empty bucket in increasing value order; zeros
  // come as (0, 0, count).
  template <typename F>
  void ForEachBucket(F&& f) const {
    for (size_t i = negative_.counts.size(); i-- > 0;) {
      if (negative_.counts[i]) {
        int64_t key = negative_.first + static_cast<int64_t>(i);
        f(-Upper(key), -Lower(key), negative_.counts[i]);
      }
    }
    if (zeros_) f(0.0, 0.0, zeros_);
    for (size_t i = 0; i < positive_.counts.size(); ++i) {
      if (positive_.counts[i]) {
        int64_t key = positive_.first + static_cast<int64_t>(i);
        f(Lower(key), Upper(key), positive_.counts[i]);
      }
    }
  }

 private:
  struct Side {
    int64_t first = 0;  // key of counts[0]
    std::vector<int64_t> counts;
    int64_t total = 0;
  };

  static int64_t Key(double magnitude) {
    return static_cast<int64_t>(std::bit_cast<uint64_t>(magnitude) >> (52 - kSubBits));
  }
  static double Lower(int64_t key) {
    return std::bit_cast<double>(static_cast<uint64_t>(key) << (52 - kSubBits));
  }
  static double Upper(int64_t key) { return Lower(key + 1); }

  static void Bump(Side& side, int64_t key, int64_t by = 1) {
    if (side.counts.empty()) {
      side.first = key;
      side.counts.assign(1, 0);
    } else if (key < side.first) {
      side.counts.insert(side.counts.begin(), static_cast<size_t>(side.first - key), 0);
      side.first = key;
    } else if (key >= side.first + static_cast<int64_t>(side.counts.size())) {
      side.counts.resize(static_cast<size_t>(key - side.first + 1), 0);
    }
    side.counts[static_cast<size_t>(key - side.first)] += by;
    side.total += by;
  }

  static void MergeSide(Side& into, const Side& from) {
    for (size_t i = 0; i < from.counts.size(); ++i) {
      if (from.counts[i]) Bump(into, from.first + static_cast<int64_t>(i), from.counts[i]);
    }
  }

  int64_t zeros_ = 0;
  Side positive_, negative_;
};

}  // namespace datastory::analysis

#endif  // DATASTORY_ANALYSIS_LOG_HISTOGRAM_H_
