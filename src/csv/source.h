// ByteSource: where CSV bytes come from. A file (pread, so several readers can share it) or
// memory (tests, uploads already in memory). Implementations are thread-compatible: ReadAt may be
// called concurrently on one instance.
#ifndef DATASTORY_CSV_SOURCE_H_
#define DATASTORY_CSV_SOURCE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "datastory/result.h"

namespace datastory::csv {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `n` bytes at `offset` into `out`; fewer only at the end of the source.
  virtual Result<size_t> ReadAt(int64_t offset, char* out, size_t n) const = 0;
  virtual int64_t size() const = 0;
  // The whole content as one view, when it is in memory or memory-mapped; empty otherwise.
  // Valid while the source lives. Reading a mapped file that another process truncates
  // meanwhile is undefined (SIGBUS), as with any memory-mapped reader.
  virtual std::string_view Mapped() const { return {}; }
  // Says that the bytes [data, data + n) of Mapped() will not be read again, so a mapped file's
  // pages can leave this process's resident set (they stay in the page cache). Thread-safe.
  virtual void Release(const char* /*data*/, size_t /*n*/) const {}
  virtual const std::string& name() const = 0;  // for messages: the path, or "<memory>"
};

// Opens a regular file, memory-mapped when it is not empty. Fails with NotFound, PermissionDenied
// or InvalidArgument (a directory, a device) and a message that names the path.
Result<std::unique_ptr<ByteSource>> OpenFile(const std::string& path);

// Wraps bytes owned by the source.
std::unique_ptr<ByteSource> MemorySource(std::string bytes, std::string name = "<memory>");

}  // namespace datastory::csv

#endif  // DATASTORY_CSV_SOURCE_H_
