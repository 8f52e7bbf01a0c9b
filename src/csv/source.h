// ByteSource: where CSV bytes come from. A file (pread, so several readers can share it) or
// memory (tests, uploads already in memory). Implementations are thread-compatible: ReadAt may be
// called concurrently on one instance.
//
// Files are read with pread, never memory-mapped: a mapped file that another process truncates
// kills the reader with SIGBUS, and a server cannot let one upload do that to every job. A
// file that shrinks while it is read is a DataLoss error instead.
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
  // Reads up to `n` bytes at `offset` into `out`; fewer only where size() ends. A file that
  // ends before size() (truncated since it was opened) gives DataLoss, naming both sizes.
  virtual Result<size_t> ReadAt(int64_t offset, char* out, size_t n) const = 0;
  // The size when the source was opened; bytes a file gains later are not read.
  virtual int64_t size() const = 0;
  // The whole content as one view, when it is in memory; empty otherwise. Valid while the
  // source lives.
  virtual std::string_view InMemory() const { return {}; }
  virtual const std::string& name() const = 0;  // for messages: the path, or "<memory>"
};

// Opens a regular file for reading, named `name` in messages (the path when empty: a worker
// reading an upload from a temporary file names it by the user's file name). Fails with NotFound,
// PermissionDenied or InvalidArgument (a directory, a device) and a message that names the path.
Result<std::unique_ptr<ByteSource>> OpenFile(const std::string& path, const std::string& name = "");

// The first bytes of a larger source (an upload read back from storage for its preview): reads
// past them return nothing, while size() is the whole's.
std::unique_ptr<ByteSource> PrefixSource(std::string head, int64_t total_size, std::string name);

// The first `size` bytes of `whole`, which must outlive the view: a read stops there (before a
// table's footer lines). Reads and InMemory() go to `whole`.
std::unique_ptr<ByteSource> FirstBytes(const ByteSource& whole, int64_t size);

// Wraps bytes owned by the source.
std::unique_ptr<ByteSource> MemorySource(std::string bytes, std::string name = "<memory>");

}  // namespace datastory::csv

#endif  // DATASTORY_CSV_SOURCE_H_
