// The in-memory BlobStore: the port's behaviour (whole objects, keys checked, MD5 ETags,
// metadata, signed URLs) without a disk, for tests and for composing services.
#include <openssl/evp.h>

#include <map>
#include <mutex>

#include "base/text.h"
#include "blob/blob_store.h"
#include "blob/url_signature.h"

namespace datastory::blob {
namespace {

std::string Md5Hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_md5(), nullptr);
  return HexLower(digest, length);
}

class MemoryBlobStore final : public BlobStore {
 public:
  MemoryBlobStore(std::string secret, const Clock& clock)
      : secret_(std::move(secret)), clock_(clock) {}

  Result<BlobInfo> Upload(std::string_view key, std::string_view bytes,
                          const UploadOptions& options) override {
    return UploadStream(key, ReadFromString(bytes), options);
  }

  Result<BlobInfo> UploadStream(std::string_view key, const ChunkReader& read,
                                const UploadOptions& options) override {
    DS_RETURN_IF_ERROR(ValidateKey(key));
    // Read it all first: a failing stream stores nothing, as with the other backends.
    std::string bytes;
    char buffer[1 << 16];
    for (;;) {
      DS_ASSIGN_OR_RETURN(size_t n, read(buffer, sizeof buffer));
      if (n == 0) break;
      bytes.append(buffer, n);
    }
    Object object;
    object.info.key = std::string(key);
    object.info.url = "memory://" + object.info.key;
    object.info.size = static_cast<int64_t>(bytes.size());
    object.info.etag = Md5Hex(bytes);
    object.info.content_type = options.content_type;
    object.info.tags = options.tags;
    object.info.original_filename = options.original_filename;
    object.info.modified_at = clock_.NowMillis();
    object.bytes = std::move(bytes);
    std::lock_guard lock(mu_);
    return (objects_[object.info.key] = std::move(object)).info;
  }

  Result<std::string> Download(std::string_view key) override {
    DS_RETURN_IF_ERROR(ValidateKey(key));
    std::lock_guard lock(mu_);
    auto it = objects_.find(std::string(key));
    if (it == objects_.end()) return Status::NotFound("no object " + std::string(key));
    return it->second.bytes;
  }

  Status DownloadStream(std::string_view key, const ChunkWriter& write) override {
    DS_ASSIGN_OR_RETURN(std::string bytes, Download(key));
    for (size_t at = 0; at < bytes.size(); at += 1 << 20) {
      DS_RETURN_IF_ERROR(write(std::string_view(bytes).substr(at, 1 << 20)));
    }
    return Status::Ok();
  }

  Status Remove(std::string_view key) override {
    DS_RETURN_IF_ERROR(ValidateKey(key));
    std::lock_guard lock(mu_);
    if (objects_.erase(std::string(key)) == 0) {
      return Status::NotFound("no object " + std::string(key));
    }
    return Status::Ok();
  }

  Result<bool> Exists(std::string_view key) override {
    DS_RETURN_IF_ERROR(ValidateKey(key));
    std::lock_guard lock(mu_);
    return objects_.count(std::string(key)) > 0;
  }

  Result<BlobInfo> Metadata(std::string_view key) override {
    DS_RETURN_IF_ERROR(ValidateKey(key));
    std::lock_guard lock(mu_);
    auto it = objects_.find(std::string(key));
    if (it == objects_.end()) return Status::NotFound("no object " + std::string(key));
    return it->second.info;
  }

  Result<std::string> SignedUrl(std::string_view key, int64_t ttl_seconds) override {
    DS_RETURN_IF_ERROR(ValidateKey(key));
    DS_RETURN_IF_ERROR(ValidateTtl(ttl_seconds));
    const int64_t expires = clock_.NowMillis() / 1000 + ttl_seconds;
    return "memory://" + std::string(key) + "?expires=" + std::to_string(expires) +
           "&signature=" + UrlSignature(secret_, "GET", key, expires);
  }

 private:
  struct Object {
    BlobInfo info;
    std::string bytes;
  };

  const std::string secret_;
  const Clock& clock_;
  std::mutex mu_;
  std::map<std::string, Object> objects_;
};

}  // namespace

std::unique_ptr<BlobStore> NewMemoryBlobStore(std::string secret, const Clock& clock) {
  return std::make_unique<MemoryBlobStore>(std::move(secret), clock);
}

}  // namespace datastory::blob
