// ValueCounter: exact counts of a column's distinct values, up to a limit.
//
// Keys are 64-bit hashes of the values (XXH3 of the text, or a mix of a number's bits), so
// equal values count together whatever thread saw them. Each entry keeps the first text seen
// and the numeric value, for top-value lists and exact quantiles. Past `limit` distinct values
// the counter gives up its entries and keeps only a HyperLogLog of the hashes ("overflowed").
// Merging is order-independent: the same multiset of values gives the same state.
#ifndef DATASTORY_ANALYSIS_VALUE_COUNTER_H_
#define DATASTORY_ANALYSIS_VALUE_COUNTER_H_

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

  struct Entry {
    uint64_t hash = 0;  // 0 marks an empty slot
    int64_t count = 0;
    double number = 0;
    uint32_t text_offset = 0;
    uint32_t text_length = 0;
  };

  explicit ValueCounter(size_t limit = kDefaultLimit) : limit_(limit) {}

  // Counts one value. `text` is stored the first time its hash is seen.
  void Add(uint64_t hash, std::string_view text, double number) {
    if (overflowed()) {
      hll_->Add(hash);
      return;
    }
    if ((size_ + 1) * 2 > slots_.size()) Grow();
    Probe(hash, text, number);
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
  // The entries (empty once overflowed), in no particular order.
  std::vector<Entry> Entries() const;
  std::string_view Text(const Entry& e) const {
    return {texts_.data() + e.text_offset, e.text_length};
  }

 private:
  static constexpr size_t kMaxText = 200;
  // Counts one value in a table with room for it.
  void Probe(uint64_t hash, std::string_view text, double number) {
    if (hash == 0) hash = 1;
    size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      Entry& e = slots_[i];
      if (e.hash == hash) {
        ++e.count;
        return;
      }
      if (e.hash == 0) {
        e = Entry{hash, 1, number, static_cast<uint32_t>(texts_.size()),
                  static_cast<uint32_t>(std::min<size_t>(text.size(), kMaxText))};
        texts_.append(text.substr(0, kMaxText));
        if (++size_ > limit_) Overflow();
        return;
      }
    }
  }

  void Grow();
  void Overflow();
  void Insert(const Entry& e, std::string_view text);

  size_t limit_;
  size_t size_ = 0;
  std::vector<Entry> slots_;
  std::string texts_;
  std::unique_ptr<HyperLogLog> hll_;
};

}  // namespace datastory::analysis

#endif  // DATASTORY_ANALYSIS_VALUE_COUNTER_H_
