// BlobStore: where uploads live (DESIGN.md §3), as a port with the original platform's storage
// API: Upload, Download, Remove, Exists, Metadata, SignedUrl and GenerateUploadKey, plus
// streaming for files larger than memory. Backends: local disk (file://, below) and
// S3-compatible storage (s3://, blob/s3_blob_store.h); OpenBlobStore picks one from STORAGE_URL.
//
// Keys are relative paths of safe characters, made by the server ("uploads/<user>/<uuid>"): a
// user's file name is metadata only and never part of a key. A key that could leave the
// store's root (.., an absolute path, a NUL, a backslash) is refused with
// InvalidArgument. Every method is thread-safe.
#ifndef DATASTORY_BLOB_BLOB_STORE_H_
#define DATASTORY_BLOB_BLOB_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/file_io.h"
#include "datastory/result.h"

namespace datastory::blob {

struct UploadOptions {
  std::string content_type = "application/octet-stream";
  std::vector<std::string> tags;
  std::string original_filename;  // the name the user gave the file, kept as metadata
};

struct BlobInfo {
  std::string key;
  std::string url;  // where the server serves it (a signed URL is needed to fetch it)
  int64_t size = 0;
  std::string etag;  // hex MD5 of the bytes, as S3 gives for single-part uploads
  std::string content_type;
  std::vector<std::string> tags;
  std::string original_filename;
  int64_t modified_at = 0;  // milliseconds since the epoch
  // The encryption at rest the storage reports ("AES256", "aws:kms"); empty on local disk.
  std::string encryption;
};

// Uploads read their bytes through a ChunkReader (base/file_io.h); a reader's error abandons
// the upload and nothing is stored.
using datastory::ChunkReader;
using datastory::ReadFromString;
// Receives the next piece of a download; an error stops it.
using ChunkWriter = std::function<Status(std::string_view chunk)>;

class BlobStore {
 public:
  virtual ~BlobStore() = default;

  // Stores `bytes` under `key`, replacing what was there. Readers see the old object or the
  // new one, never a part.
  virtual Result<BlobInfo> Upload(std::string_view key, std::string_view bytes,
                                  const UploadOptions& options) = 0;
  // The same, from a stream, in bounded memory.
  virtual Result<BlobInfo> UploadStream(std::string_view key, const ChunkReader& read,
                                        const UploadOptions& options) = 0;
  virtual Result<std::string> Download(std::string_view key) = 0;
  virtual Status DownloadStream(std::string_view key, const ChunkWriter& write) = 0;
  virtual Status Remove(std::string_view key) = 0;  // NotFound when there is nothing
  virtual Result<bool> Exists(std::string_view key) = 0;
  virtual Result<BlobInfo> Metadata(std::string_view key) = 0;
  // A URL that lets its holder fetch `key` for `ttl_seconds` (1 to 604,800, as S3 allows).
  virtual Result<std::string> SignedUrl(std::string_view key, int64_t ttl_seconds) = 0;
};

// Signed URLs live at most a week, as S3 allows.
inline constexpr int64_t kMaxTtlSeconds = 604800;
// InvalidArgument unless 1 <= ttl_seconds <= kMaxTtlSeconds.
Status ValidateTtl(int64_t ttl_seconds);

// InvalidArgument, saying why, unless `key` is a safe relative path.
Status ValidateKey(std::string_view key);

// "uploads/<user>/<22 base64url characters>": 128 random bits, nothing of the user's file name
// (which travels as UploadOptions::original_filename). The user id keeps letters, digits, '-' and
// '_'.
std::string GenerateUploadKey(std::string_view user_id);

// The local-disk backend, rooted at `root` (created if missing). Signed URLs are
// "<url_prefix>/<key>?expires=<unix seconds>&signature=<hex HMAC-SHA256>", signing the method
// (GET), the key and the expiry with a key derived from `secret` for this use alone;
// VerifySignature checks them. `clock` must outlive the store.
Result<std::unique_ptr<BlobStore>> OpenLocalBlobStore(const std::string& root, std::string secret,
                                                      std::string url_prefix, const Clock& clock);

// What the local backend needs beyond its folder.
struct LocalSettings {
  std::string secret;      // DATASTORY_SECRET, at least 16 bytes
  std::string url_prefix;  // where the server serves blobs, e.g. "/blobs"
};

// From STORAGE_URL: file://<folder> (relative or absolute), or s3://bucket/prefix with the S3
// settings read through `getenv` (see S3ConfigFromEnvironment). InvalidArgument, naming the
// variable, for anything else.
Result<std::unique_ptr<BlobStore>> OpenBlobStore(
    std::string_view storage_url, const LocalSettings& local, const Clock& clock,
    const std::function<const char*(const char*)>& getenv);

// Checks a signed URL's parts for `method` and `key`: Unauthenticated when the signature is
// wrong (another method, key, expiry or secret) or it has expired (at `now_millis`).
Status VerifySignature(std::string_view secret, std::string_view method, std::string_view key,
                       int64_t expires_seconds, std::string_view signature_hex, int64_t now_millis);

// An in-memory BlobStore, for tests and for composing services without a disk. Its signed URLs
// are those of the local backend with `secret`.
std::unique_ptr<BlobStore> NewMemoryBlobStore(std::string secret, const Clock& clock);

}  // namespace datastory::blob

#endif  // DATASTORY_BLOB_BLOB_STORE_H_
