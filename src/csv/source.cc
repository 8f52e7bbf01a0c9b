#include "csv/source.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace datastory::csv {
namespace {

class FileSource final : public ByteSource {
 public:
  FileSource(int fd, int64_t size, std::string path)
      : fd_(fd), size_(size), path_(std::move(path)) {}
  ~FileSource() override { ::close(fd_); }
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  Result<size_t> ReadAt(int64_t offset, char* out, size_t n) const override {
    if (offset >= size_) return size_t{0};
    n = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(n), size_ - offset));
    size_t done = 0;
    while (done < n) {
      ssize_t got = ::pread(fd_, out + done, n - done, offset + static_cast<int64_t>(done));
      if (got < 0) {
        if (errno == EINTR) continue;
        return Status::Unavailable(path_ + ": read failed at byte " +
                                   std::to_string(offset + done) + ": " + std::strerror(errno));
      }
      if (got == 0) {
        return Status::DataLoss(path_ + ": the file shrank while it was read: it had " +
                                std::to_string(size_) + " bytes when opened, now it ends at byte " +
                                std::to_string(offset + static_cast<int64_t>(done)) +
                                " (another program changed it)");
      }
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
  std::string_view InMemory() const override { return bytes_; }

 private:
  std::string bytes_;
  std::string name_;
};

class PrefixBytes final : public ByteSource {
 public:
  PrefixBytes(std::string head, int64_t total, std::string name)
      : head_(std::move(head)), total_(std::max<int64_t>(total, 0)), name_(std::move(name)) {}
  Result<size_t> ReadAt(int64_t offset, char* out, size_t n) const override {
    if (offset >= static_cast<int64_t>(head_.size())) return size_t{0};
    size_t take = std::min(n, head_.size() - static_cast<size_t>(offset));
    std::memcpy(out, head_.data() + offset, take);
    return take;
  }
  int64_t size() const override { return std::max<int64_t>(total_, head_.size()); }
  const std::string& name() const override { return name_; }

 private:
  std::string head_;
  int64_t total_;
  std::string name_;
};

}  // namespace

namespace {

class FirstBytesView final : public ByteSource {
 public:
  FirstBytesView(const ByteSource& whole, int64_t size)
      : whole_(whole), size_(std::clamp<int64_t>(size, 0, whole.size())) {}
  Result<size_t> ReadAt(int64_t offset, char* out, size_t n) const override {
    if (offset >= size_) return size_t{0};
    return whole_.ReadAt(offset, out, std::min<size_t>(n, static_cast<size_t>(size_ - offset)));
  }
  int64_t size() const override { return size_; }
  std::string_view InMemory() const override {
    return whole_.InMemory().substr(0, static_cast<size_t>(size_));
  }
  const std::string& name() const override { return whole_.name(); }

 private:
  const ByteSource& whole_;
  int64_t size_;
};

}  // namespace

std::unique_ptr<ByteSource> FirstBytes(const ByteSource& whole, int64_t size) {
  return std::make_unique<FirstBytesView>(whole, size);
}

std::unique_ptr<ByteSource> PrefixSource(std::string head, int64_t total_size, std::string name) {
  return std::make_unique<PrefixBytes>(std::move(head), total_size, std::move(name));
}

Result<std::unique_ptr<ByteSource>> OpenFile(const std::string& path, const std::string& name) {
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
  return std::unique_ptr<ByteSource>(
      std::make_unique<FileSource>(fd, st.st_size, name.empty() ? path : name));
}

std::unique_ptr<ByteSource> MemorySource(std::string bytes, std::string name) {
  return std::make_unique<StringSource>(std::move(bytes), std::move(name));
}

}  // namespace datastory::csv
