// HyperLogLog distinct-count sketch (precision p: 2^p one-byte registers, standard error
// 1.04 / sqrt(2^p): 0.4% at the default 16), with Ertl's improved estimator, which needs no bias
// tables and is accurate from tiny to huge cardinalities. Merging is a register-wise max, so the
// result does not depend on how the input was split or in which order parts are merged.
#ifndef DATASTORY_ANALYSIS_HYPERLOGLOG_H_
#define DATASTORY_ANALYSIS_HYPERLOGLOG_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace datastory::analysis {

class HyperLogLog {
 public:
  static constexpr int kDefaultPrecision = 16;

  explicit HyperLogLog(int precision = kDefaultPrecision)
      : precision_(precision), registers_(size_t{1} << precision, 0) {}
  int precision() const { return precision_; }

  // `hash` must be a well-mixed 64-bit hash.
  void Add(uint64_t hash) {
    uint64_t index = hash >> (64 - precision_);
    uint64_t rest = (hash << precision_) | (uint64_t{1} << (precision_ - 1));
    uint8_t rank = static_cast<uint8_t>(__builtin_clzll(rest) + 1);
    uint8_t& r = registers_[index];
    r = rank > r ? rank : r;  // branchless: which way it goes is random
  }
  // Adds hashes[0, n), prefetching the registers of later ones.
  void AddBatch(const uint64_t* hashes, size_t n) {
    constexpr size_t kAhead = 16;
    for (size_t i = 0; i < n; ++i) {
      if (i + kAhead < n) __builtin_prefetch(&registers_[hashes[i + kAhead] >> (64 - precision_)]);
      Add(hashes[i]);
    }
  }
  // Both sketches must have the same precision.
  void Merge(const HyperLogLog& other);
  double Estimate() const;

 private:
  int precision_;
  std::vector<uint8_t> registers_;
};

}  // namespace datastory::analysis

#endif  // DATASTORY_ANALYSIS_HYPERLOGLOG_H_
