// LogHistogram: counts of values in log-linear buckets, for quantiles and histograms of columns
// with too many distinct values to count exactly.
//
// A bucket is the sign, exponent and top `sub_bits` mantissa bits of a double, so each power of
// two is cut into 2^sub_bits equal parts: with the default 7, a bucket's width is at most 1/128
// of its values. Adding is a shift and an increment.
//
// Memory is bounded: each sign keeps at most `max_buckets` consecutive buckets. When the values
// span more, the buckets nearest zero are folded into the lowest one kept (DDSketch's
// "collapsing lowest"), so the largest magnitudes stay precise. The fold depends only on the
// largest key ever seen, so the result does not depend on the order of the input or of merges.
#ifndef DATASTORY_ANALYSIS_LOG_HISTOGRAM_H_
#define DATASTORY_ANALYSIS_LOG_HISTOGRAM_H_

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace datastory::analysis {

class LogHistogram {
 public:
  static constexpr int kDefaultSubBits = 7;
  static constexpr int64_t kDefaultMaxBuckets = 4096;  // 32 powers of two at 7 sub-bits

  explicit LogHistogram(int sub_bits = kDefaultSubBits, int64_t max_buckets = kDefaultMaxBuckets)
      : shift_(52 - sub_bits), max_buckets_(std::max<int64_t>(max_buckets, 2)) {}

  void Add(double x) {
    if (x == 0 || std::isnan(x)) {
      ++zeros_;
      return;
    }
    if (std::isinf(x)) return;  // counted as infinite by the caller
    Side& side = x > 0 ? positive_ : negative_;
    const int64_t key = Key(std::fabs(x));
    // The common case, kept inline: a bucket already in the span.
    const auto index = static_cast<uint64_t>(key - side.first);
    if (index < side.counts.size()) {
      ++side.counts[index];
      ++side.total;
      return;
    }
    Bump(side, key);
  }

  // `other` must have the same sub_bits and max_buckets.
  void Merge(const LogHistogram& other) {
    zeros_ += other.zeros_;
    MergeSide(positive_, other.positive_);
    MergeSide(negative_, other.negative_);
  }

  int64_t total() const { return zeros_ + positive_.total + negative_.total; }
  // Bytes held by the buckets.
  size_t bytes() const {
    return (positive_.counts.capacity() + negative_.counts.capacity()) * sizeof(int64_t);
  }

  // Calls f(lower, upper, count) for every non-empty bucket in increasing value order; zeros
  // come as (0, 0, count). A folded bucket reports the range it stands for.
  template <typename F>
  void ForEachBucket(F&& f) const {
    for (size_t i = negative_.counts.size(); i-- > 0;) {
      if (negative_.counts[i]) {
        auto [lower, upper] = Range(negative_, i);
        f(-upper, -lower, negative_.counts[i]);
      }
    }
    if (zeros_) f(0.0, 0.0, zeros_);
    for (size_t i = 0; i < positive_.counts.size(); ++i) {
      if (positive_.counts[i]) {
        auto [lower, upper] = Range(positive_, i);
        f(lower, upper, positive_.counts[i]);
      }
    }
  }

 private:
  struct Side {
    int64_t first = 0;  // key of counts[0]
    std::vector<int64_t> counts;
    int64_t total = 0;
    int64_t lowest_folded = INT64_MAX;  // the smallest key folded into counts[0], if any
  };

  int64_t Key(double magnitude) const {
    return static_cast<int64_t>(std::bit_cast<uint64_t>(magnitude) >> shift_);
  }
  double Lower(int64_t key) const {
    return std::bit_cast<double>(static_cast<uint64_t>(key) << shift_);
  }
  std::pair<double, double> Range(const Side& side, size_t i) const {
    const int64_t key = side.first + static_cast<int64_t>(i);
    const int64_t low = i == 0 ? std::min(key, side.lowest_folded) : key;
    return {Lower(low), Lower(key + 1)};
  }

  // Counts `by` values of `key`. Invariant: counts covers [first, first + size) with
  // size <= max_buckets_, and counts[0] also holds every folded key (all below first).
  [[gnu::noinline]] void Bump(Side& side, int64_t key, int64_t by = 1) {
    side.total += by;
    if (side.counts.empty()) {
      side.first = key;
      side.counts.assign(1, by);
      return;
    }
    const int64_t last = side.first + static_cast<int64_t>(side.counts.size()) - 1;
    if (key > last) {
      const int64_t new_first = std::max(side.first, key - max_buckets_ + 1);
      if (new_first > side.first) {  // fold [first, new_first) into new_first
        const auto drop = static_cast<size_t>(
            std::min<int64_t>(new_first - side.first, static_cast<int64_t>(side.counts.size())));
        int64_t folded = 0;
        for (size_t i = 0; i < drop; ++i) {
          if (side.counts[i] != 0 && folded == 0) {
            side.lowest_folded = std::min(side.lowest_folded, side.first + static_cast<int64_t>(i));
          }
          folded += side.counts[i];
        }
        side.counts.erase(side.counts.begin(),
                          side.counts.begin() + static_cast<std::ptrdiff_t>(drop));
        side.first = new_first;
        if (side.counts.empty()) side.counts.assign(1, 0);
        side.counts[0] += folded;
      }
      side.counts.resize(static_cast<size_t>(key - side.first + 1), 0);
    } else if (key < side.first) {
      // The span may reach down to floor_key; anything lower folds into that bucket.
      const int64_t floor_key = last - max_buckets_ + 1;
      const int64_t target = std::max(key, floor_key);
      if (key < floor_key) side.lowest_folded = std::min(side.lowest_folded, key);
      side.counts.insert(side.counts.begin(), static_cast<size_t>(side.first - target), 0);
      side.first = target;
      side.counts[0] += by;
      return;
    }
    side.counts[static_cast<size_t>(key - side.first)] += by;
  }

  // Folded counts of `from` arrive at from.first, which is never below into's first once
  // merged (the span follows the largest key), so they end in into's counts[0] with its own.
  void MergeSide(Side& into, const Side& from) {
    for (size_t i = 0; i < from.counts.size(); ++i) {
      if (from.counts[i]) Bump(into, from.first + static_cast<int64_t>(i), from.counts[i]);
    }
    into.lowest_folded = std::min(into.lowest_folded, from.lowest_folded);
  }

  int shift_;
  int64_t max_buckets_;
  int64_t zeros_ = 0;
  Side positive_, negative_;
};

}  // namespace datastory::analysis

#endif  // DATASTORY_ANALYSIS_LOG_HISTOGRAM_H_
