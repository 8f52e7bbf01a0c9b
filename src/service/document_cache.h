// Story documents kept in memory by version, so that a story read many times (its page, a
// shared link passed around) is read from the store once per version per process and sent
// without a copy.
//
// Only the bytes are cached, never the right to read them: StoryService reads the story's head
// (owner-scoped or by its share token) from the store on every read, and asks the cache for
// the document of the version that head names. A story's updated_at grows with every change
// (store.h), so (id, updated_at) names one version: a change made by another process is seen
// at the next read. Thread-safe.
#ifndef DATASTORY_SERVICE_DOCUMENT_CACHE_H_
#define DATASTORY_SERVICE_DOCUMENT_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace datastory::service {

class DocumentCache {
 public:
  // Keeps up to `capacity_bytes` of documents, the least recently read leaving first; a
  // document larger than a quarter of that is handed back but not kept.
  explicit DocumentCache(size_t capacity_bytes);

  // The document of `story_id` at `updated_at`, or null.
  std::shared_ptr<const std::string> Find(std::string_view story_id, int64_t updated_at);
  // Keeps `document` as the story's at `updated_at` (unless a newer version is kept already)
  // and returns it, shared.
  std::shared_ptr<const std::string> Put(std::string_view story_id, int64_t updated_at,
                                         std::string document);
  // Forgets the story (deleted).
  void Erase(std::string_view story_id);

  size_t bytes() const;

 private:
  struct Entry {
    std::string id;
    int64_t updated_at;
    std::shared_ptr<const std::string> document;
  };
  using Lru = std::list<Entry>;  // the most recently read first

  void EraseLocked(Lru::iterator it);

  const size_t capacity_;
  mutable std::mutex mu_;
  Lru lru_;
  std::unordered_map<std::string_view, Lru::iterator> by_id_;  // keys view Entry::id
  size_t bytes_ = 0;
};

}  // namespace datastory::service

#endif  // DATASTORY_SERVICE_DOCUMENT_CACHE_H_
