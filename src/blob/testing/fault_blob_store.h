// Test support: a BlobStore that forwards to another and fails chosen calls, in the spirit of
// leveldb's EnvWrapper, so that the services above the port can be tested against storage
// failures without a network.
#ifndef DATASTORY_BLOB_TESTING_FAULT_BLOB_STORE_H_
#define DATASTORY_BLOB_TESTING_FAULT_BLOB_STORE_H_

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "blob/blob_store.h"

namespace datastory::blob::testing {

// Forwards every call to `target`. Subclasses override what they want to change.
class BlobStoreWrapper : public BlobStore {
 public:
  explicit BlobStoreWrapper(BlobStore* target) : target_(target) {}
  Result<BlobInfo> Upload(std::string_view key, std::string_view bytes,
                          const UploadOptions& options) override {
    return target_->Upload(key, bytes, options);
  }
  Result<BlobInfo> UploadStream(std::string_view key, const ChunkReader& read,
                                const UploadOptions& options) override {
    return target_->UploadStream(key, read, options);
  }
  Result<std::string> Download(std::string_view key) override { return target_->Download(key); }
  Status DownloadStream(std::string_view key, const ChunkWriter& write) override {
    return target_->DownloadStream(key, write);
  }
  Status Remove(std::string_view key) override { return target_->Remove(key); }
  Result<bool> Exists(std::string_view key) override { return target_->Exists(key); }
  Result<BlobInfo> Metadata(std::string_view key) override { return target_->Metadata(key); }
  Result<std::string> SignedUrl(std::string_view key, int64_t ttl_seconds) override {
    return target_->SignedUrl(key, ttl_seconds);
  }

 protected:
  BlobStore* target() const { return target_; }

 private:
  BlobStore* target_;
};

// The calls a FaultyBlobStore can fail, by name.
enum class BlobCall { kUpload, kDownload, kRemove, kExists, kMetadata, kSignedUrl };

// Fails the next `times` calls of a kind with `status` (or every one, times = -1); uploads may
// instead fail after `after_bytes` of the stream have been read, as a dropped connection would.
// Counts the calls it let through. Thread-safe.
class FaultyBlobStore final : public BlobStoreWrapper {
 public:
  using BlobStoreWrapper::BlobStoreWrapper;

  void Fail(BlobCall call, Status status, int times = 1) {
    std::lock_guard lock(mu_);
    faults_[call] = {std::move(status), times};
  }
  void FailUploadAfter(int64_t after_bytes, Status status) {
    std::lock_guard lock(mu_);
    upload_cut_ = {after_bytes, std::move(status)};
  }
  int64_t calls(BlobCall call) const {
    std::lock_guard lock(mu_);
    auto it = calls_.find(call);
    return it == calls_.end() ? 0 : it->second;
  }

  Result<BlobInfo> Upload(std::string_view key, std::string_view bytes,
                          const UploadOptions& options) override {
    return UploadStream(key, ReadFromString(bytes), options);
  }
  Result<BlobInfo> UploadStream(std::string_view key, const ChunkReader& read,
                                const UploadOptions& options) override {
    DS_RETURN_IF_ERROR(Take(BlobCall::kUpload));
    std::optional<std::pair<int64_t, Status>> cut;
    {
      std::lock_guard lock(mu_);
      cut.swap(upload_cut_);
    }
    if (!cut) return target()->UploadStream(key, read, options);
    auto seen = std::make_shared<int64_t>(0);
    return target()->UploadStream(
        key,
        [&read, seen, cut](char* buffer, size_t capacity) -> Result<size_t> {
          if (*seen >= cut->first) return cut->second;
          capacity = std::min<size_t>(capacity, static_cast<size_t>(cut->first - *seen));
          DS_ASSIGN_OR_RETURN(size_t n, read(buffer, capacity));
          *seen += static_cast<int64_t>(n);
          return n;
        },
        options);
  }
  Result<std::string> Download(std::string_view key) override {
    DS_RETURN_IF_ERROR(Take(BlobCall::kDownload));
    return BlobStoreWrapper::Download(key);
  }
  Status DownloadStream(std::string_view key, const ChunkWriter& write) override {
    DS_RETURN_IF_ERROR(Take(BlobCall::kDownload));
    return BlobStoreWrapper::DownloadStream(key, write);
  }
  Status Remove(std::string_view key) override {
    DS_RETURN_IF_ERROR(Take(BlobCall::kRemove));
    return BlobStoreWrapper::Remove(key);
  }
  Result<bool> Exists(std::string_view key) override {
    DS_RETURN_IF_ERROR(Take(BlobCall::kExists));
    return BlobStoreWrapper::Exists(key);
  }
  Result<BlobInfo> Metadata(std::string_view key) override {
    DS_RETURN_IF_ERROR(Take(BlobCall::kMetadata));
    return BlobStoreWrapper::Metadata(key);
  }
  Result<std::string> SignedUrl(std::string_view key, int64_t ttl_seconds) override {
    DS_RETURN_IF_ERROR(Take(BlobCall::kSignedUrl));
    return BlobStoreWrapper::SignedUrl(key, ttl_seconds);
  }

 private:
  // The fault for this call, if one is armed; else counts the call.
  Status Take(BlobCall call) {
    std::lock_guard lock(mu_);
    auto it = faults_.find(call);
    if (it != faults_.end() && it->second.second != 0) {
      if (it->second.second > 0) --it->second.second;
      return it->second.first;
    }
    ++calls_[call];
    return Status::Ok();
  }

  mutable std::mutex mu_;
  std::map<BlobCall, std::pair<Status, int>> faults_;
  std::map<BlobCall, int64_t> calls_;
  std::optional<std::pair<int64_t, Status>> upload_cut_;
};

}  // namespace datastory::blob::testing

#endif  // DATASTORY_BLOB_TESTING_FAULT_BLOB_STORE_H_
