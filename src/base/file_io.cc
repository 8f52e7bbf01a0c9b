#include "base/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <vector>

#include "base/random.h"
#include "base/text.h"

namespace datastory {
namespace {

namespace fs = std::filesystem;

// An errno as a Status about `path`, with the system's words for it.
Status FromErrno(int err, const std::string& doing, const std::string& path) {
  std::string message = EscapeControl(path) + ": " + doing + ": " + std::strerror(err);
  switch (err) {
    case EACCES:
    case EPERM:
    case EROFS:
      return Status::PermissionDenied(std::move(message));
    case ENOENT:
    case ENOTDIR:
      return Status::NotFound(std::move(message));
    default:
      return Status::Unavailable(std::move(message));
  }
}

// A file descriptor, closed on scope exit.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // Closes now, reporting what close() said (a late write error can surface there).
  int Close() {
    int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

Status WriteAll(int fd, const char* data, size_t n, const std::string& temp) {
  for (size_t done = 0; done < n;) {
    ssize_t w = ::write(fd, data + done, n - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      return FromErrno(errno, "cannot write", temp);
    }
    done += static_cast<size_t>(w);
  }
  return Status::Ok();
}

}  // namespace

ChunkReader ReadFromString(std::string_view bytes) {
  auto offset = std::make_shared<size_t>(0);
  return [bytes, offset](char* buffer, size_t capacity) -> Result<size_t> {
    size_t n = std::min(capacity, bytes.size() - *offset);
    std::memcpy(buffer, bytes.data() + *offset, n);
    *offset += n;
    return n;
  };
}

Status SyncFolder(const std::string& folder) {
  Fd dir(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0) return FromErrno(errno, "cannot open the folder", folder);
  if (::fsync(dir.get()) != 0) return FromErrno(errno, "cannot sync the folder", folder);
  return Status::Ok();
}

Result<int64_t> WriteFileAtomically(const std::string& path, const ChunkReader& read,
                                    const AtomicWriteOptions& options) {
  const fs::path target(path);
  if (target.filename().empty() || target.filename() == "." || target.filename() == "..") {
    return Status::InvalidArgument(EscapeControl(path) + ": not a file name");
  }
  // lstat: a symlink is itself replaced by the rename, so only what `path` itself is matters.
  struct stat existing {};
  int mode = options.mode;
  if (::lstat(path.c_str(), &existing) == 0) {
    if (S_ISDIR(existing.st_mode)) {
      return Status::InvalidArgument(EscapeControl(path) + ": is a folder, not a file");
    }
    if (!S_ISREG(existing.st_mode) && !S_ISLNK(existing.st_mode)) {
      return Status::InvalidArgument(EscapeControl(path) +
                                     ": is not a regular file (a pipe, socket or device); "
                                     "write to a file, or to standard output with -o -");
    }
    if (S_ISREG(existing.st_mode)) mode = static_cast<int>(existing.st_mode & 07777);
  } else if (errno != ENOENT) {
    return FromErrno(errno, "cannot look at it", path);
  }

  const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
  if (options.create_parents) {
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec) return FromErrno(ec.value(), "cannot create its folder", folder.string());
  }
  // A fresh name each time: O_EXCL | O_NOFOLLOW refuse anything already there, a planted
  // symlink included, instead of writing through it.
  std::string temp;
  int fd = -1;
  for (int attempt = 0; attempt < 8 && fd < 0; ++attempt) {
    const uint64_t word = RandomWord();
    temp =
        (folder / ("." + target.filename().string() + "." +
                   HexLower(reinterpret_cast<const unsigned char*>(&word), sizeof(word)) + ".tmp"))
            .string();
    fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0 && errno != EEXIST) return FromErrno(errno, "cannot create a file beside it", path);
  }
  if (fd < 0) return FromErrno(EEXIST, "cannot create a file beside it", path);
  Fd out(fd);
  auto abandon = [&](Status s) -> Result<int64_t> {
    out.Close();
    ::unlink(temp.c_str());
    return s;
  };
  // The mode of the file being replaced, whatever the umask did to the new one.
  if (S_ISREG(existing.st_mode) && ::fchmod(out.get(), static_cast<mode_t>(mode)) != 0) {
    return abandon(FromErrno(errno, "cannot set its permissions", temp));
  }
  std::vector<char> buffer(1 << 20);
  int64_t size = 0;
  for (;;) {
    Result<size_t> n = read(buffer.data(), buffer.size());
    if (!n.ok()) return abandon(n.status());
    if (*n == 0) break;
    if (Status s = WriteAll(out.get(), buffer.data(), *n, path); !s.ok()) return abandon(s);
    size += static_cast<int64_t>(*n);
  }
  if (::fsync(out.get()) != 0) return abandon(FromErrno(errno, "cannot sync", path));
  if (out.Close() != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    return FromErrno(err, "cannot write", path);
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    return FromErrno(err, "cannot replace it", path);
  }
  DS_RETURN_IF_ERROR(SyncFolder(folder.string()));
  return size;
}

}  // namespace datastory
