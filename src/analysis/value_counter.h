// ValueCounter: exact counts of a column's distinct values, up to a limit.
//
// Keys are 64-bit hashes of the values (XXH3 of the text, or a mix of a number's bits), so
// equal values count together whatever thread saw them. Each distinct value also keeps its
// number and the first text seen (its first 200 bytes), for top-value lists and exact quantiles.
// Past `limit` distinct values, or `text_limit` bytes of their texts, the counter gives up its
// entries and keeps only a HyperLogLog of the hashes ("overflowed"): its memory is bounded by
// the two limits whatever the input. Merging is order-independent: the same multiset of values
// gives the same counts. Not thread-safe; one per column per worker.
#ifndef DATASTORY_ANALYSIS_VALUE_COUNTER_H_
#define DATASTORY_ANALYSIS_VALUE_COUNTER_H_

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/hyperloglog.h"

namespace datastory::analysis {

class ValueCounter {
 public:
  static constexpr size_t kDefaultLimit = 100000;

  // One distinct value, as Entries() reports it.
  struct Entry {
    uint64_t hash = 0;
    int64_t count = 0;
    double number = 0;
    uint32_t text_offset = 0;
    uint32_t text_length = 0;
  };

  static constexpr size_t kDefaultTextLimit = 16 << 20;

  // Exact up to `limit` distinct values and `text_limit` bytes of text; above, a HyperLogLog of
  // `precision`.
  explicit ValueCounter(size_t limit = kDefaultLimit,
                        int precision = HyperLogLog::kDefaultPrecision,
                        size_t text_limit = kDefaultTextLimit)
      : limit_(std::min(limit, kMaxIndex)), precision_(precision), text_limit_(text_limit) {}

  // Counts one value. `text` is stored the first time its hash is seen.
  void Add(uint64_t hash, std::string_view text, double number) {
    if (overflowed()) {
      hll_->Add(hash);
      return;
    }
    if ((size_ + 1) * 2 > slots_.size()) Grow();
    Probe(hash, text, number, 1);
  }

  // Counts values[0, n) (hashes, numbers, and texts or nullptr). The same as n calls of Add,
  // but the slots of later values are prefetched while earlier ones are probed, so a table
  // larger than the cache costs far fewer stalls.
  void AddBatch(const uint64_t* hashes, const double* numbers, const std::string_view* texts,
                size_t n);

  void Merge(const ValueCounter& other);

  bool overflowed() const { return hll_ != nullptr; }
  // Exact when !overflowed(), else the HyperLogLog estimate.
  int64_t Distinct() const;
  // The distinct values (none once overflowed), in no particular order.
  std::vector<Entry> Entries() const;
  std::string_view Text(const Entry& e) const {
    return {texts_.data() + e.text_offset, e.text_length};
  }

 private:
  static constexpr size_t kMaxText = 200;
  // A slot packs the count (low 40 bits) and the index of the value's side data (high 24
  // bits) beside the hash: 16 bytes, so twice as many slots fit a cache line as whole entries.
  static constexpr int kCountBits = 40;
  static constexpr uint64_t kCountMask = (uint64_t{1} << kCountBits) - 1;
  static constexpr size_t kMaxIndex = (size_t{1} << (64 - kCountBits)) - 1;
  struct Slot {
    uint64_t hash;  // 0 marks an empty slot
    uint64_t count_and_index;
  };
  struct Side {
    double number;
    uint32_t text_offset;
    uint32_t text_length;
  };

  // Counts `count` occurrences of one value in a table with room for it.
  void Probe(uint64_t hash, std::string_view text, double number, int64_t count) {
    if (hash == 0) hash = 1;
    size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.hash == hash) {
        s.count_and_index += static_cast<uint64_t>(count);  // counts stay below 2^40
        return;
      }
      if (s.hash == 0) {
        size_t length = std::min(text.size(), kMaxText);
        s.hash = hash;
        s.count_and_index =
            (static_cast<uint64_t>(side_.size()) << kCountBits) | static_cast<uint64_t>(count);
        side_.push_back(
            Side{number, static_cast<uint32_t>(texts_.size()), static_cast<uint32_t>(length)});
        texts_.append(text.substr(0, length));
        if (++size_ > limit_ || texts_.size() > text_limit_) Overflow();
        return;
      }
    }
  }
  void Grow();
  void Overflow();

  size_t limit_;
  int precision_;
  size_t text_limit_;
  size_t size_ = 0;
  std::vector<Slot> slots_;
  std::vector<Side> side_;  // by insertion order
  std::string texts_;
  std::unique_ptr<HyperLogLog> hll_;
};

}  // namespace datastory::analysis

#endif  // DATASTORY_ANALYSIS_VALUE_COUNTER_H_
