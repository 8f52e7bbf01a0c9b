#include "analysis/value_counter.h"

#include <cmath>

namespace datastory::analysis {

void ValueCounter::Grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.empty() ? 64 : old.size() * 2, Slot{0, 0});
  size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.hash == 0) continue;
    size_t i = s.hash & mask;
    while (slots_[i].hash != 0) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

void ValueCounter::Overflow() {
  hll_ = std::make_unique<HyperLogLog>(precision_);
  for (const Slot& s : slots_) {
    if (s.hash != 0) hll_->Add(s.hash);
  }
  std::vector<Slot>().swap(slots_);
  std::vector<Side>().swap(side_);
  std::string().swap(texts_);
  size_ = 0;
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
      if (i + kAhead < end) {
        uint64_t ahead = hashes[i + kAhead];
        __builtin_prefetch(&slots_[(ahead | (ahead == 0)) & mask]);
      }
      Probe(hashes[i], texts ? texts[i] : std::string_view(), numbers ? numbers[i] : 0.0, 1);
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
  for (const Slot& s : other.slots_) {
    if (s.hash == 0) continue;
    if (overflowed()) {
      hll_->Add(s.hash);
      continue;
    }
    const Side& side = other.side_[s.count_and_index >> kCountBits];
    if ((size_ + 1) * 2 > slots_.size()) Grow();
    Probe(s.hash, std::string_view(other.texts_.data() + side.text_offset, side.text_length),
          side.number, static_cast<int64_t>(s.count_and_index & kCountMask));
  }
}

int64_t ValueCounter::Distinct() const {
  if (overflowed()) return static_cast<int64_t>(std::llround(hll_->Estimate()));
  return static_cast<int64_t>(size_);
}

std::vector<ValueCounter::Entry> ValueCounter::Entries() const {
  std::vector<Entry> out;
  out.reserve(size_);
  for (const Slot& s : slots_) {
    if (s.hash == 0) continue;
    const Side& side = side_[s.count_and_index >> kCountBits];
    out.push_back(Entry{s.hash, static_cast<int64_t>(s.count_and_index & kCountMask), side.number,
                        side.text_offset, side.text_length});
  }
  return out;
}

}  // namespace datastory::analysis
