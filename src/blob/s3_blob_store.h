// The S3-compatible backend of the BlobStore port (AWS S3, MinIO, Ceph, R2 …): requests signed
// with Signature V4, path-style or virtual-hosted addressing, multipart upload above one part,
// retries on 5xx answers and failed connections.
#ifndef DATASTORY_BLOB_S3_BLOB_STORE_H_
#define DATASTORY_BLOB_S3_BLOB_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "blob/blob_store.h"
#include "blob/sigv4.h"
#include "datastory/result.h"

namespace datastory::blob {

struct S3Config {
  std::string bucket;
  std::string prefix;    // prepended to every key with a '/', or empty
  std::string endpoint;  // "http://127.0.0.1:9000"; empty means https://s3.<region>.amazonaws.com
  std::string region = "us-east-1";
  sigv4::Credentials credentials;
  // <endpoint>/<bucket>/<key> instead of <bucket>.<endpoint>/<key>; forced for an IP endpoint,
  // and for a bucket with dots over https.
  bool path_style = false;
  // Streams longer than one part go up in parts of this size (S3 needs at least 5 MiB but for
  // the last); shorter ones in a single PUT.
  int64_t part_size = int64_t{8} << 20;
  int max_retries = 3;  // after the first try, on 5xx and connection failures
  // A request fails when its transfer moves under 1 KB/s for this long; there is no limit on
  // the whole, so that large objects can take the time they need.
  int64_t stall_timeout_ms = 30000;
  // Asked of S3 for every object written (x-amz-server-side-encryption): "AES256" (S3's own
  // keys), "aws:kms", or empty for none (a server without encryption configured).
  std::string server_side_encryption = "AES256";
};

// From STORAGE_URL "s3://bucket/prefix" and S3_ENDPOINT, S3_REGION, AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, S3_FORCE_PATH_STYLE and S3_SSE (AES256, aws:kms or
// none), read through `getenv`.
// InvalidArgument naming the variable when one is missing or malformed.
Result<S3Config> S3ConfigFromEnvironment(std::string_view storage_url,
                                         const std::function<const char*(const char*)>& getenv);

// Requests are signed, and URLs presigned, at `clock`'s time (S3 refuses a request more than
// 15 minutes off its own clock); `clock` must outlive the store.
Result<std::unique_ptr<BlobStore>> OpenS3BlobStore(S3Config config, const Clock& clock);

}  // namespace datastory::blob

#endif  // DATASTORY_BLOB_S3_BLOB_STORE_H_
