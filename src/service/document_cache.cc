#include "service/document_cache.h"

#include <utility>

namespace datastory::service {

DocumentCache::DocumentCache(size_t capacity_bytes) : capacity_(capacity_bytes) {}

std::shared_ptr<const std::string> DocumentCache::Find(std::string_view story_id,
                                                       int64_t updated_at) {
  std::lock_guard lock(mu_);
  auto it = by_id_.find(story_id);
  if (it == by_id_.end() || it->second->updated_at != updated_at) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->document;
}

std::shared_ptr<const std::string> DocumentCache::Put(std::string_view story_id, int64_t updated_at,
                                                      std::string document) {
  auto shared = std::make_shared<const std::string>(std::move(document));
  const size_t size = shared->size() + story_id.size();
  if (size > capacity_ / 4) return shared;
  std::lock_guard lock(mu_);
  if (auto it = by_id_.find(story_id); it != by_id_.end()) {
    if (it->second->updated_at > updated_at) return shared;  // a slower reader's older version
    EraseLocked(it->second);
  }
  lru_.push_front(Entry{std::string(story_id), updated_at, shared});
  by_id_.emplace(lru_.front().id, lru_.begin());
  bytes_ += size;
  while (bytes_ > capacity_) EraseLocked(std::prev(lru_.end()));
  return shared;
}

void DocumentCache::Erase(std::string_view story_id) {
  std::lock_guard lock(mu_);
  if (auto it = by_id_.find(story_id); it != by_id_.end()) EraseLocked(it->second);
}

size_t DocumentCache::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

void DocumentCache::EraseLocked(Lru::iterator it) {
  bytes_ -= it->document->size() + it->id.size();
  by_id_.erase(it->id);
  lru_.erase(it);
}

}  // namespace datastory::service
