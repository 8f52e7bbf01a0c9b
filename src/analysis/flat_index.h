// FlatIndex: an open-addressing map from a 64-bit hash to a dense 32-bit id, for group-by keys.
// The caller keeps the keys themselves (in arrays indexed by id) and confirms a match, so two
// keys with the same hash stay apart. Not thread-safe.
#ifndef DATASTORY_ANALYSIS_FLAT_INDEX_H_
#define DATASTORY_ANALYSIS_FLAT_INDEX_H_

#include <cstdint>
#include <vector>

namespace datastory::analysis {

class FlatIndex {
 public:
  FlatIndex() { Reset(16); }

  // The id of the key with `hash` for which `same(id)` holds; otherwise stores `next_id` for it
  // and returns that (the caller then appends the key at next_id).
  template <class Same>
  int32_t FindOrAdd(uint64_t hash, int32_t next_id, Same&& same) {
    size_t i = hash & mask_;
    while (ids_[i] >= 0) {
      if (hashes_[i] == hash && same(ids_[i])) return ids_[i];
      i = (i + 1) & mask_;
    }
    hashes_[i] = hash;
    ids_[i] = next_id;
    if (++size_ * 2 > ids_.size()) Grow();
    return next_id;
  }

  size_t size() const { return size_; }
  void Clear() { Reset(16); }

 private:
  void Reset(size_t capacity) {
    hashes_.assign(capacity, 0);
    ids_.assign(capacity, -1);
    mask_ = capacity - 1;
    size_ = 0;
  }
  void Grow() {
    std::vector<uint64_t> hashes = std::move(hashes_);
    std::vector<int32_t> ids = std::move(ids_);
    Reset(ids.size() * 2);
    for (size_t i = 0; i < ids.size(); ++i) {
      if (ids[i] < 0) continue;
      size_t j = hashes[i] & mask_;
      while (ids_[j] >= 0) j = (j + 1) & mask_;
      hashes_[j] = hashes[i];
      ids_[j] = ids[i];
      ++size_;
    }
  }

  std::vector<uint64_t> hashes_;
  std::vector<int32_t> ids_;  // -1 = empty slot
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace datastory::analysis

#endif  // DATASTORY_ANALYSIS_FLAT_INDEX_H_
