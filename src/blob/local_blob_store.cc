// The local-disk BlobStore. Objects live under <root>/objects/<key>, their metadata (content
// type, tags) under <root>/meta/<key>.json. A write goes to a temporary file beside its
// target, is fsync'ed, then renamed over it, and the directory is fsync'ed: a reader sees the
// old object or the new one, and a crash leaves no part of one.
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "base/file_io.h"
#include "base/random.h"
#include "base/text.h"
#include "blob/blob_store.h"
#include "blob/url_signature.h"

namespace datastory::blob {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Key folders are made as objects arrive.
constexpr AtomicWriteOptions kCreate{.create_parents = true, .mode = 0644};

Status Errno(const std::string& what) {
  return Status::Unavailable(what + ": " + std::strerror(errno));
}

// A file descriptor, closed on scope exit.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

// A reader that passes `read`'s bytes through `digest` on their way.
ChunkReader Digesting(const ChunkReader& read, EVP_MD_CTX* digest) {
  return [&read, digest](char* buffer, size_t capacity) -> Result<size_t> {
    Result<size_t> n = read(buffer, capacity);
    if (n.ok() && *n > 0) EVP_DigestUpdate(digest, buffer, *n);
    return n;
  };
}

class LocalBlobStore final : public BlobStore {
 public:
  LocalBlobStore(fs::path root, std::string secret, std::string url_prefix, const Clock& clock)
      : root_(std::move(root)),
        secret_(std::move(secret)),
        url_prefix_(std::move(url_prefix)),
        clock_(clock) {}

  Result<BlobInfo> Upload(std::string_view key, std::string_view bytes,
                          const UploadOptions& options) override {
    return UploadStream(key, ReadFromString(bytes), options);
  }

  Result<BlobInfo> UploadStream(std::string_view key, const ChunkReader& read,
                                const UploadOptions& options) override {
    DS_RETURN_IF_ERROR(ValidateKey(key));
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md5(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    EVP_DigestInit_ex(md5.get(), EVP_md5(), nullptr);
    DS_ASSIGN_OR_RETURN(int64_t size, WriteFileAtomically(ObjectPath(key).string(),
                                                          Digesting(read, md5.get()), kCreate));
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(md5.get(), digest, &length);
    json meta = {{"contentType", options.content_type},
                 {"tags", options.tags},
                 {"originalFilename", options.original_filename},
                 {"etag", HexLower(digest, length)},
                 {"size", size}};
    const std::string text = meta.dump();
    DS_RETURN_IF_ERROR(
        WriteFileAtomically(MetaPath(key).string(), ReadFromString(text), kCreate).status());
    return Metadata(key);
  }

  Result<std::string> Download(std::string_view key) override {
    std::string out;
    DS_RETURN_IF_ERROR(DownloadStream(key, [&](std::string_view chunk) {
      out.append(chunk);
      return Status::Ok();
    }));
    return out;
  }

  Status DownloadStream(std::string_view key, const ChunkWriter& write) override {
    DS_RETURN_IF_ERROR(ValidateKey(key));
    Fd in{open(ObjectPath(key).c_str(), O_RDONLY | O_CLOEXEC)};
    if (in.fd < 0) {
      return errno == ENOENT ? Status::NotFound("no object " + std::string(key))
                             : Errno("opening " + std::string(key));
    }
    std::vector<char> buffer(1 << 20);
    while (true) {
      ssize_t n = read(in.fd, buffer.data(), buffer.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return Errno("reading " + std::string(key));
      }
      if (n == 0) return Status::Ok();
      DS_RETURN_IF_ERROR(write(std::string_view(buffer.data(), static_cast<size_t>(n))));
    }
  }

  Status Remove(std::string_view key) override {
    DS_RETURN_IF_ERROR(ValidateKey(key));
    std::error_code ec;
    if (!fs::remove(ObjectPath(key), ec)) {
      return ec ? Status::Unavailable("removing " + std::string(key) + ": " + ec.message())
                : Status::NotFound("no object " + std::string(key));
    }
    fs::remove(MetaPath(key), ec);
    return SyncFolder(ObjectPath(key).parent_path().string());
  }

  Result<bool> Exists(std::string_view key) override {
    DS_RETURN_IF_ERROR(ValidateKey(key));
    std::error_code ec;
    return fs::is_regular_file(ObjectPath(key), ec);
  }

  Result<BlobInfo> Metadata(std::string_view key) override {
    DS_RETURN_IF_ERROR(ValidateKey(key));
    struct stat st;
    if (stat(ObjectPath(key).c_str(), &st) != 0) {
      return errno == ENOENT ? Status::NotFound("no object " + std::string(key))
                             : Errno("reading " + std::string(key));
    }
    BlobInfo info;
    info.key = std::string(key);
    info.url = url_prefix_ + "/" + info.key;
    info.size = st.st_size;
    info.modified_at =
        static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
    std::string text;
    Fd in{open(MetaPath(key).c_str(), O_RDONLY | O_CLOEXEC)};
    char buffer[4096];
    ssize_t n;
    while (in.fd >= 0 && (n = read(in.fd, buffer, sizeof(buffer))) > 0) text.append(buffer, n);
    json meta = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (meta.is_object()) {
      info.content_type = meta.value("contentType", "application/octet-stream");
      info.etag = meta.value("etag", "");
      info.original_filename = meta.value("originalFilename", "");
      if (meta.contains("tags") && meta["tags"].is_array()) {
        for (const json& t : meta["tags"]) {
          if (t.is_string()) info.tags.push_back(t.get<std::string>());
        }
      }
    }
    return info;
  }

  Result<std::string> SignedUrl(std::string_view key, int64_t ttl_seconds) override {
    DS_RETURN_IF_ERROR(ValidateKey(key));
    DS_RETURN_IF_ERROR(ValidateTtl(ttl_seconds));
    const int64_t expires = clock_.NowMillis() / 1000 + ttl_seconds;
    return url_prefix_ + "/" + std::string(key) + "?expires=" + std::to_string(expires) +
           "&signature=" + UrlSignature(secret_, "GET", key, expires);
  }

 private:
  fs::path ObjectPath(std::string_view key) const { return root_ / "objects" / std::string(key); }
  fs::path MetaPath(std::string_view key) const {
    return root_ / "meta" / (std::string(key) + ".json");
  }

  const fs::path root_;
  const std::string secret_;
  const std::string url_prefix_;
  const Clock& clock_;
};

}  // namespace

Status ValidateTtl(int64_t ttl_seconds) {
  if (ttl_seconds < 1 || ttl_seconds > kMaxTtlSeconds) {
    return Status::InvalidArgument("a signed URL lives 1 to " + std::to_string(kMaxTtlSeconds) +
                                   " seconds, not " + std::to_string(ttl_seconds));
  }
  return Status::Ok();
}

Status ValidateKey(std::string_view key) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("object key \"" + std::string(key.substr(0, 200)) + "\" " + why);
  };
  if (key.empty()) return bad("is empty");
  if (key.size() > 1024) return bad("is longer than 1024 bytes");
  if (key.front() == '/') return bad("is absolute");
  if (key.back() == '/') return bad("names a folder");
  for (char c : key) {
    if (c == '\0') return bad("holds a NUL");
    if (c == '\\') return bad("holds a backslash");
    if (static_cast<unsigned char>(c) < 0x20) return bad("holds a control character");
  }
  size_t start = 0;
  while (start <= key.size()) {
    size_t slash = key.find('/', start);
    std::string_view part =
        key.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (part.empty()) return bad("has an empty path segment");
    if (part == "." || part == "..") return bad("has a '" + std::string(part) + "' segment");
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return Status::Ok();
}

std::string GenerateUploadKey(std::string_view user_id) {
  std::string user;
  for (char c : user_id) {
    user += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_';
  }
  // 16 random bytes, base64url: 128 bits an attacker cannot guess (a UUID holds 122).
  return "uploads/" + (user.empty() ? std::string("anonymous") : user) + "/" + NewToken(16);
}

Result<std::unique_ptr<BlobStore>> OpenLocalBlobStore(const std::string& root, std::string secret,
                                                      std::string url_prefix, const Clock& clock) {
  if (secret.size() < 16) {
    return Status::InvalidArgument("DATASTORY_SECRET must be at least 16 bytes to sign URLs");
  }
  std::error_code ec;
  fs::create_directories(fs::path(root) / "objects", ec);
  if (ec) return Status::Unavailable("cannot create the blob folder " + root + ": " + ec.message());
  fs::create_directories(fs::path(root) / "meta", ec);
  return std::unique_ptr<BlobStore>(
      new LocalBlobStore(root, std::move(secret), std::move(url_prefix), clock));
}

}  // namespace datastory::blob
