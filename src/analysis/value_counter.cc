#include "analysis/value_counter.h"

#include <cmath>

namespace datastory::analysis {

void ValueCounter::Grow() {
  std::vector<Entry> old = std::move(slots_);
  slots_.assign(old.empty() ? 64 : old.size() * 2, Entry{});
  size_t mask = slots_.size() - 1;
  for (const Entry& e : old) {
    if (e.hash == 0) continue;
    size_t i = e.hash & mask;
    while (slots_[i].hash != 0) i = (i + 1) & mask;
    slots_[i] = e;
  }
}

void ValueCounter::Overflow() {
  hll_ = std::make_unique<HyperLogLog>();
  for (const Entry& e : slots_) {
    if (e.hash != 0) hll_->Add(e.hash);
  }
  std::vector<Entry>().swap(slots_);
  std::string().swap(texts_);
  size_ = 0;
}

void ValueCounter::Insert(const Entry& entry, std::string_view text) {
  if ((size_ + 1) * 2 > slots_.size()) Grow();
  size_t mask = slots_.size() - 1;
  for (size_t i = entry.hash & mask;; i = (i + 1) & mask) {
    Entry& e = slots_[i];
    if (e.hash == entry.hash) {
      e.count += entry.count;
      return;
    }
    if (e.hash == 0) {
      e = entry;
      e.text_offset = static_cast<uint32_t>(texts_.size());
      texts_.append(text);
      ++size_;
      return;
    }
  }
}

void ValueCounter::AddBatch(const uint64_t* hashes, const double* numbers,
                            const std::string_view* texts, size_t n) {
  constexpr size_t kAhead = 16;
  size_t i = 0;
  while (i < n) {
    if (overflowed()) {
      hll_->AddBatch(hashes + i, n - i);
      return;
    }
    // Room for every value left (or up to the overflow point), so no growth while probing.
    size_t room = std::min(n - i, limit_ + 1 - size_);
    while ((size_ + room) * 2 > slots_.size()) Grow();
    const size_t mask = slots_.size() - 1;
    const size_t end = i + room;
    for (; i < end; ++i) {
      if (i + kAhead < end)
        __builtin_prefetch(&slots_[(hashes[i + kAhead] | (hashes[i + kAhead] == 0)) & mask]);
      Probe(hashes[i], texts ? texts[i] : std::string_view(), numbers ? numbers[i] : 0.0);
      if (overflowed()) {
        ++i;
        break;
      }
    }
  }
}

void ValueCounter::Merge(const ValueCounter& other) {
  if (other.overflowed()) {
    if (!overflowed()) Overflow();
    hll_->Merge(*other.hll_);
    return;
  }
  for (const Entry& e : other.slots_) {
    if (e.hash == 0) continue;
    if (overflowed()) {
      hll_->Add(e.hash);
      continue;
    }
    Insert(e, other.Text(e));
    if (size_ > limit_) Overflow();
  }
}

int64_t ValueCounter::Distinct() const {
  if (overflowed()) return static_cast<int64_t>(std::llround(hll_->Estimate()));
  return static_cast<int64_t>(size_);
}

std::vector<ValueCounter::Entry> ValueCounter::Entries() const {
  std::vector<Entry> out;
  out.reserve(size_);
  for (const Entry& e : slots_) {
    if (e.hash != 0) out.push_back(e);
  }
  return out;
}

}  // namespace datastory::analysis
