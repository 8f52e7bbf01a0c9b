#include "blob/blob_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <random>

namespace datastory::blob {
namespace {

namespace fs = std::filesystem;
constexpr int64_t kNow = 1795608000000;  // 2026-11-25T12:00:00Z
constexpr const char* kSecret = "a test secret of enough bytes";

class LocalBlobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("datastory-blobs-" + std::to_string(getpid()));
    fs::remove_all(root_);
    auto s = OpenLocalBlobStore(root_.string(), kSecret, "/api/blobs", clock_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  void TearDown() override { fs::remove_all(root_); }
  // Files under the root other than the objects and their metadata (temporaries).
  int Leftovers() {
    int n = 0;
    for (const auto& e : fs::recursive_directory_iterator(root_)) {
      n += e.is_regular_file() && e.path().string().find(".tmp-") != std::string::npos;
    }
    return n;
  }

  fs::path root_;
  FakeClock clock_{kNow};
  std::unique_ptr<BlobStore> store_;
};

TEST_F(LocalBlobStoreTest, UploadDownloadMetadataRemove) {
  const std::string key = GenerateUploadKey("42", "sales data.csv", kNow);
  EXPECT_EQ(key, "uploads/42/1795608000000-sales_data.csv");
  auto info = store_->Upload(key, "a,b\n1,2\n", {"text/csv", {"csv", "user-upload"}});
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->size, 8);
  EXPECT_EQ(info->etag, "e5ebd4c02cefbe7955977c67ada242b7");
  EXPECT_EQ(info->content_type, "text/csv");
  EXPECT_EQ(info->tags, (std::vector<std::string>{"csv", "user-upload"}));
  EXPECT_EQ(info->url, "/api/blobs/" + key);
  EXPECT_EQ(*store_->Download(key), "a,b\n1,2\n");
  EXPECT_TRUE(*store_->Exists(key));
  // Replacing keeps one object.
  ASSERT_TRUE(store_->Upload(key, "x\n", {}).ok());
  EXPECT_EQ(*store_->Download(key), "x\n");
  EXPECT_EQ(store_->Metadata(key)->content_type, "application/octet-stream");
  EXPECT_TRUE(store_->Remove(key).ok());
  EXPECT_FALSE(*store_->Exists(key));
  EXPECT_EQ(store_->Remove(key).code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->Download(key).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->Metadata(key).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Leftovers(), 0);
}

TEST_F(LocalBlobStoreTest, KeysCannotLeaveTheRoot) {
  for (const std::string& key :
       {std::string(""), std::string("../etc/passwd"), std::string("/etc/passwd"),
        std::string("a/../../b"), std::string("a/./b"), std::string("a//b"), std::string("a\\b"),
        std::string("a\0b", 3), std::string("dir/"), std::string("a\nb")}) {
    SCOPED_TRACE(key);
    EXPECT_EQ(store_->Upload(key, "x", {}).status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(store_->Download(key).status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(store_->Remove(key).code(), StatusCode::kInvalidArgument);
  }
  EXPECT_FALSE(fs::exists(root_.parent_path() / "b"));
  // Generated keys are always safe, whatever the filename.
  for (const char* name : {"../../x.csv", "/abs/path.csv", "a\\b.csv", "..", "", "résumé 2024.csv",
                           "weird\nname.csv"}) {
    std::string key = GenerateUploadKey("u/1", name, kNow);
    EXPECT_TRUE(ValidateKey(key).ok()) << key;
    EXPECT_EQ(key.rfind("uploads/u_1/1795608000000-", 0), 0u) << key;
  }
  EXPECT_EQ(GenerateUploadKey("7", std::string(300, 'a') + ".csv", kNow).size(),
            std::string("uploads/7/1795608000000-").size() + 100);
}

TEST_F(LocalBlobStoreTest, StreamsInBoundedMemoryAndAnAbandonedUploadLeavesNothing) {
  // 24 MiB streamed in and out in pieces.
  const size_t total = 24u << 20;
  size_t produced = 0;
  std::mt19937 rng(1);
  uint64_t sum_in = 0;
  auto reader = [&](char* buffer, size_t capacity) -> Result<size_t> {
    size_t n = std::min<size_t>(capacity, total - produced);
    for (size_t i = 0; i < n; ++i)
      buffer[i] = static_cast<char>(rng()), sum_in += static_cast<unsigned char>(buffer[i]);
    produced += n;
    return n;
  };
  auto info = store_->UploadStream("big/file.bin", reader, {});
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->size, static_cast<int64_t>(total));
  uint64_t sum_out = 0;
  size_t received = 0, largest = 0;
  ASSERT_TRUE(store_
                  ->DownloadStream("big/file.bin",
                                   [&](std::string_view chunk) {
                                     for (unsigned char c : chunk) sum_out += c;
                                     received += chunk.size();
                                     largest = std::max(largest, chunk.size());
                                     return Status::Ok();
                                   })
                  .ok());
  EXPECT_EQ(received, total);
  EXPECT_EQ(sum_out, sum_in);
  EXPECT_LE(largest, size_t{1} << 20);

  // An upload whose source fails half-way: the old object stays, no part is visible.
  ASSERT_TRUE(store_->Upload("doc.csv", "old\n", {}).ok());
  int calls = 0;
  auto failing = [&](char* buffer, size_t capacity) -> Result<size_t> {
    if (++calls > 3) return Status::Unavailable("the client went away");
    std::memset(buffer, 'x', capacity);
    return capacity;
  };
  auto broken = store_->UploadStream("doc.csv", failing, {});
  EXPECT_EQ(broken.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(*store_->Download("doc.csv"), "old\n");
  auto fresh = store_->UploadStream("new.csv", failing, {});
  EXPECT_FALSE(fresh.ok());
  EXPECT_FALSE(*store_->Exists("new.csv"));
  EXPECT_EQ(Leftovers(), 0);
}

TEST_F(LocalBlobStoreTest, SignedUrlsExpireAndCannotBeForged) {
  auto url = store_->SignedUrl("uploads/1/a.csv", 3600);
  ASSERT_TRUE(url.ok());
  const std::string expires = std::to_string(kNow / 1000 + 3600);
  ASSERT_EQ(url->rfind("/api/blobs/uploads/1/a.csv?expires=" + expires + "&signature=", 0), 0u)
      << *url;
  const std::string signature = url->substr(url->find("signature=") + 10);
  EXPECT_EQ(signature.size(), 64u);
  const int64_t exp = kNow / 1000 + 3600;
  EXPECT_TRUE(VerifySignature(kSecret, "uploads/1/a.csv", exp, signature, kNow).ok());
  EXPECT_EQ(VerifySignature(kSecret, "uploads/1/b.csv", exp, signature, kNow).code(),
            StatusCode::kUnauthenticated);  // another key
  EXPECT_EQ(VerifySignature(kSecret, "uploads/1/a.csv", exp + 1, signature, kNow).code(),
            StatusCode::kUnauthenticated);  // a longer life
  EXPECT_EQ(
      VerifySignature("another secret entirely", "uploads/1/a.csv", exp, signature, kNow).code(),
      StatusCode::kUnauthenticated);
  EXPECT_EQ(VerifySignature(kSecret, "uploads/1/a.csv", exp, signature, (exp + 1) * 1000).code(),
            StatusCode::kUnauthenticated);  // expired
  EXPECT_EQ(store_->SignedUrl("k", 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->SignedUrl("k", 604801).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(store_->SignedUrl("k", 604800).ok());
  EXPECT_EQ(store_->SignedUrl("../k", 60).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenLocalBlobStore(root_.string(), "short", "", clock_).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace datastory::blob
