#include "csv/source.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

namespace datastory::csv {
namespace {

class FileSource final : public ByteSource {
 public:
  FileSource(int fd, int64_t size, std::string path)
      : fd_(fd), size_(size), path_(std::move(path)) {
    if (size_ > 0) {
      void* map = ::mmap(nullptr, static_cast<size_t>(size_), PROT_READ, MAP_PRIVATE, fd_, 0);
      if (map != MAP_FAILED) {  // else pread only
        map_ = static_cast<const char*>(map);
        ::madvise(map, static_cast<size_t>(size_), MADV_SEQUENTIAL);
      }
    }
  }
  ~FileSource() override {
    if (map_) ::munmap(const_cast<char*>(map_), static_cast<size_t>(size_));
    ::close(fd_);
  }

  std::string_view Mapped() const override {
    return map_ ? std::string_view(map_, static_cast<size_t>(size_)) : std::string_view();
  }
  void Release(const char* data, size_t n) const override {
    if (!map_ || n == 0) return;
    const uintptr_t page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
    uintptr_t begin = (reinterpret_cast<uintptr_t>(data) + page - 1) & ~(page - 1);
    uintptr_t end = (reinterpret_cast<uintptr_t>(data) + n) & ~(page - 1);
    // Only whole pages: a neighbouring block may still be read from a shared page (and a
    // dropped page would simply be read again from the page cache).
    if (end > begin) {
      // NOLINTNEXTLINE(performance-no-int-to-ptr): page arithmetic needs integers
      ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
    }
  }
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  Result<size_t> ReadAt(int64_t offset, char* out, size_t n) const override {
    size_t done = 0;
    while (done < n) {
      ssize_t got = ::pread(fd_, out + done, n - done, offset + static_cast<int64_t>(done));
      if (got < 0) {
        if (errno == EINTR) continue;
        return Status::Unavailable(path_ + ": read failed at byte " +
                                   std::to_string(offset + done) + ": " + std::strerror(errno));
      }
      if (got == 0) break;
      done += static_cast<size_t>(got);
    }
    return done;
  }
  int64_t size() const override { return size_; }
  const std::string& name() const override { return path_; }

 private:
  int fd_;
  int64_t size_;
  std::string path_;
  const char* map_ = nullptr;
};

class StringSource final : public ByteSource {
 public:
  StringSource(std::string bytes, std::string name)
      : bytes_(std::move(bytes)), name_(std::move(name)) {}
  Result<size_t> ReadAt(int64_t offset, char* out, size_t n) const override {
    if (offset >= static_cast<int64_t>(bytes_.size())) return size_t{0};
    size_t take = std::min(n, bytes_.size() - static_cast<size_t>(offset));
    std::memcpy(out, bytes_.data() + offset, take);
    return take;
  }
  int64_t size() const override { return static_cast<int64_t>(bytes_.size()); }
  const std::string& name() const override { return name_; }
  std::string_view Mapped() const override { return bytes_; }

 private:
  std::string bytes_;
  std::string name_;
};

}  // namespace

Result<std::unique_ptr<ByteSource>> OpenFile(const std::string& path) {
  // Look before opening: opening a FIFO or a device could block.
  struct stat before;
  if (::stat(path.c_str(), &before) == 0 && !S_ISREG(before.st_mode)) {
    if (S_ISDIR(before.st_mode)) {
      return Status::InvalidArgument(path + ": is a directory, not a CSV file");
    }
    return Status::InvalidArgument(path + ": is not a regular file");
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return Status::NotFound(path + ": no such file");
    if (err == EACCES || err == EPERM) {
      return Status::PermissionDenied(path + ": permission denied");
    }
    return Status::InvalidArgument(path + ": cannot open: " + std::strerror(err));
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return Status::InvalidArgument(path + ": cannot stat: " + std::strerror(err));
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return Status::InvalidArgument(path + ": is a directory, not a CSV file");
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::InvalidArgument(path + ": is not a regular file");
  }
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return std::unique_ptr<ByteSource>(std::make_unique<FileSource>(fd, st.st_size, path));
}

std::unique_ptr<ByteSource> MemorySource(std::string bytes, std::string name) {
  return std::make_unique<StringSource>(std::move(bytes), std::move(name));
}

}  // namespace datastory::csv
