// Test support for fault tests: a small story to write, a thread-safe log of which writes were
// acknowledged (their ids, and the unique titles they wrote) and which were refused, and all of
// a user's stories read back.
#ifndef DATASTORY_STORE_TESTING_WRITE_LOG_H_
#define DATASTORY_STORE_TESTING_WRITE_LOG_H_

#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

#include "datastory/result.h"
#include "store/models.h"
#include "store/store.h"

namespace datastory::store::testing {

// All of a user's stories, every page (a failed read fails the test and ends the list).
inline std::vector<StoryRecord> AllStories(Store& store, const std::string& user_id) {
  std::vector<StoryRecord> out;
  std::string cursor;
  do {
    auto page = store.ListStories(user_id, cursor, 100);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    if (!page.ok()) break;
    out.insert(out.end(), page->stories.begin(), page->stories.end());
    cursor = page->next_cursor;
  } while (!cursor.empty());
  return out;
}

// A story whose title names the write, so that a write applied twice shows as two rows with
// one title.
inline StoryRecord SmallStory(std::string user_id, std::string title) {
  StoryRecord s;
  s.user_id = std::move(user_id);
  s.title = std::move(title);
  s.document_json = R"({"charts":[]})";
  return s;
}

class WriteLog {
 public:
  void Record(const Result<StoryRecord>& written) {
    std::lock_guard lock(mu_);
    if (written.ok()) {
      acknowledged_.push_back(written->id);
    } else {
      refused_.push_back(written.status().ToString());
    }
  }
  // Read once the writers are done.
  const std::vector<std::string>& acknowledged() const { return acknowledged_; }
  const std::vector<std::string>& refused() const { return refused_; }
  size_t acknowledged_count() const {
    std::lock_guard lock(mu_);
    return acknowledged_.size();
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> acknowledged_;
  std::vector<std::string> refused_;
};

}  // namespace datastory::store::testing

#endif  // DATASTORY_STORE_TESTING_WRITE_LOG_H_
