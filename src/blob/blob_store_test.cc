#include "blob/blob_store.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <random>
#include <set>

#include "base/text.h"
#include "blob/testing/fault_blob_store.h"

namespace datastory::blob {
namespace {

namespace fs = std::filesystem;
constexpr int64_t kNow = 1795608000000;  // 2026-11-25T12:00:00Z
constexpr const char* kSecret = "a test secret of enough bytes";

// The port's contract on the local disk and in memory (S3's is in tests/s3_test.cc).
class LocalBlobStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("datastory-blobs-" + std::to_string(getpid()));
    fs::remove_all(root_);
    if (GetParam() == "memory") {
      store_ = NewMemoryBlobStore(kSecret, clock_);
      fs::create_directories(root_);
      return;
    }
    auto s = OpenLocalBlobStore(root_.string(), kSecret, "/api/blobs", clock_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  void TearDown() override { fs::remove_all(root_); }
  // Files under the root other than the objects and their metadata (temporaries).
  int Leftovers() {
    int n = 0;
    for (const auto& e : fs::recursive_directory_iterator(root_)) {
      n += e.is_regular_file() && e.path().extension() == ".tmp";
    }
    return n;
  }

  fs::path root_;
  FakeClock clock_{kNow};
  std::unique_ptr<BlobStore> store_;
};

TEST_P(LocalBlobStoreTest, UploadDownloadMetadataRemove) {
  const std::string key = GenerateUploadKey("42");
  auto info = store_->Upload(key, "a,b\n1,2\n",
                             {"text/csv", {"csv", "user-upload"}, "Sales Q4 <final>.csv"});
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->size, 8);
  EXPECT_EQ(info->etag, "e5ebd4c02cefbe7955977c67ada242b7");
  EXPECT_EQ(info->content_type, "text/csv");
  EXPECT_EQ(info->tags, (std::vector<std::string>{"csv", "user-upload"}));
  if (GetParam() == "local") {
    EXPECT_EQ(info->url, "/api/blobs/" + key);
  }
  EXPECT_EQ(store_->Metadata(key)->original_filename, "Sales Q4 <final>.csv");
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

TEST_P(LocalBlobStoreTest, KeysCannotLeaveTheRoot) {
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
  // Generated keys are safe, random, and carry nothing of the user's file name.
  std::set<std::string> keys;
  for (const char* user : {"u/1", "../..", "", "7"}) {
    for (int i = 0; i < 100; ++i) {
      std::string key = GenerateUploadKey(user);
      EXPECT_TRUE(ValidateKey(key).ok()) << key;
      EXPECT_TRUE(keys.insert(key).second) << key;
      EXPECT_EQ(key.size() - key.rfind('/') - 1, 22u) << key;  // base64url of 128 random bits
    }
  }
  EXPECT_EQ(GenerateUploadKey("u/1").rfind("uploads/u_1/", 0), 0u);
  EXPECT_EQ(GenerateUploadKey("").rfind("uploads/anonymous/", 0), 0u);
}

TEST_P(LocalBlobStoreTest, StreamsInBoundedMemoryAndAnAbandonedUploadLeavesNothing) {
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

// The local backend's URLs sign the method, the key and the expiry with a key derived for
// that use alone: changing any of them, or the secret, or waiting, makes the URL useless.
// HMAC-SHA256 of `message` under `key`: the raw bytes, and as lower-case hex.
std::string HmacBytes(std::string_view key, std::string_view message) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &length);
  return std::string(reinterpret_cast<const char*>(mac), length);
}
std::string Hmac(std::string_view key, std::string_view message) {
  const std::string mac = HmacBytes(key, message);
  return HexLower(reinterpret_cast<const unsigned char*>(mac.data()), mac.size());
}

TEST_P(LocalBlobStoreTest, SignedUrlsExpireAndCannotBeForged) {
  auto url = store_->SignedUrl("uploads/1/a.csv", 3600);
  ASSERT_TRUE(url.ok());
  const std::string expires = std::to_string(kNow / 1000 + 3600);
  const std::string prefix = GetParam() == "local" ? "/api/blobs/" : "memory://";
  ASSERT_EQ(url->rfind(prefix + "uploads/1/a.csv?expires=" + expires + "&signature=", 0), 0u)
      << *url;
  const std::string signature = url->substr(url->find("signature=") + 10);
  EXPECT_EQ(signature.size(), 64u);
  const int64_t exp = kNow / 1000 + 3600;
  EXPECT_TRUE(VerifySignature(kSecret, "GET", "uploads/1/a.csv", exp, signature, kNow).ok());
  EXPECT_EQ(VerifySignature(kSecret, "DELETE", "uploads/1/a.csv", exp, signature, kNow).code(),
            StatusCode::kUnauthenticated);  // another method
  EXPECT_EQ(VerifySignature(kSecret, "GET", "uploads/1/b.csv", exp, signature, kNow).code(),
            StatusCode::kUnauthenticated);  // another key
  EXPECT_EQ(VerifySignature(kSecret, "GET", "uploads/1/a.csv", exp + 1, signature, kNow).code(),
            StatusCode::kUnauthenticated);  // a longer life
  EXPECT_EQ(
      VerifySignature("another secret entirely", "GET", "uploads/1/a.csv", exp, signature, kNow)
          .code(),
      StatusCode::kUnauthenticated);
  EXPECT_EQ(
      VerifySignature(kSecret, "GET", "uploads/1/a.csv", exp, signature, (exp + 1) * 1000).code(),
      StatusCode::kUnauthenticated);  // expired
  std::string flipped = signature;
  flipped[0] = flipped[0] == 'a' ? 'b' : 'a';
  EXPECT_EQ(VerifySignature(kSecret, "GET", "uploads/1/a.csv", exp, flipped, kNow).code(),
            StatusCode::kUnauthenticated);
  // The secret itself, used as a plain HMAC key over the same message, does not sign: the
  // signing key is derived from it for this purpose alone.
  const std::string message = "GET\nuploads/1/a.csv\n" + expires;
  const std::string plain = Hmac(kSecret, message);
  EXPECT_NE(plain, signature);
  EXPECT_EQ(VerifySignature(kSecret, "GET", "uploads/1/a.csv", exp, plain, kNow).code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(signature, Hmac(HmacBytes(kSecret, "datastory blob url signing v1"), message));
  EXPECT_EQ(store_->SignedUrl("k", 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->SignedUrl("k", 604801).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(store_->SignedUrl("k", 604800).ok());
  EXPECT_EQ(store_->SignedUrl("../k", 60).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenLocalBlobStore(root_.string(), "short", "", clock_).status().code(),
            StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Backends, LocalBlobStoreTest, ::testing::Values("local", "memory"),
                         [](const auto& info) { return info.param; });

// The fault-injecting wrapper refuses what it is told to, passes the rest through, and can cut
// an upload part-way, after which nothing is stored.
TEST(FaultyBlobStoreTest, InjectsFailuresAndCutsStreams) {
  FakeClock clock(kNow);
  auto memory = NewMemoryBlobStore(kSecret, clock);
  testing::FaultyBlobStore faulty(memory.get());
  faulty.Fail(testing::BlobCall::kUpload, Status::Unavailable("the disk is full"));
  EXPECT_EQ(faulty.Upload("a", "x", {}).status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(faulty.Upload("a", "x", {}).ok());  // once only
  EXPECT_EQ(faulty.calls(testing::BlobCall::kUpload), 1);
  faulty.Fail(testing::BlobCall::kDownload, Status::Unavailable("timeout"), -1);
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(faulty.Download("a").ok());
  EXPECT_EQ(*memory->Download("a"), "x");
  faulty.FailUploadAfter(5, Status::Unavailable("the client went away"));
  auto cut = faulty.Upload("b", "0123456789", {});
  EXPECT_EQ(cut.status().message(), "the client went away");
  EXPECT_FALSE(*memory->Exists("b"));
  EXPECT_TRUE(faulty.Upload("b", "0123456789", {}).ok());
}

}  // namespace
}  // namespace datastory::blob
