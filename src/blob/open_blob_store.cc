// STORAGE_URL → a BlobStore: file:// for the local disk, s3:// for S3-compatible storage.
#include "blob/blob_store.h"
#include "blob/s3_blob_store.h"

namespace datastory::blob {

Result<std::unique_ptr<BlobStore>> OpenBlobStore(
    std::string_view storage_url, const LocalSettings& local, const Clock& clock,
    const std::function<const char*(const char*)>& getenv) {
  if (storage_url.substr(0, 7) == "file://") {
    std::string root(storage_url.substr(7));
    if (root.empty()) {
      return Status::InvalidArgument(
          "STORAGE_URL: file:// needs a folder, e.g. file://./data/blobs");
    }
    return OpenLocalBlobStore(root, local.secret, local.url_prefix, clock);
  }
  if (storage_url.substr(0, 5) == "s3://") {
    DS_ASSIGN_OR_RETURN(S3Config config, S3ConfigFromEnvironment(storage_url, getenv));
    return OpenS3BlobStore(std::move(config), clock);
  }
  return Status::InvalidArgument(
      "STORAGE_URL: expected file://folder or s3://bucket/prefix, got \"" +
      std::string(storage_url) + "\"");
}

}  // namespace datastory::blob
