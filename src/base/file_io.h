// Files written whole or not at all, and the stream types the writers share.
//
// WriteFileAtomically is the one way DataStory replaces a file (the CLI's -o, the local blob
// store): the bytes go to a new temporary file in the target's folder — a unique name, created
// with O_EXCL and O_NOFOLLOW, so a planted file or symlink is never followed or reused — which
// is fsync'ed and renamed over the target, and the folder is fsync'ed. A reader sees the old
// file or the new one; a crash or an error leaves the old one and no temporary behind.
#ifndef DATASTORY_BASE_FILE_IO_H_
#define DATASTORY_BASE_FILE_IO_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "datastory/result.h"

namespace datastory {

// Reads the next piece of a stream into `buffer` (up to `capacity` bytes): the count read, 0 at
// the end, or an error (whatever was being written is abandoned).
using ChunkReader = std::function<Result<size_t>(char* buffer, size_t capacity)>;
// A reader over `bytes`, which must outlive it.
ChunkReader ReadFromString(std::string_view bytes);

struct AtomicWriteOptions {
  // Create missing parent folders (the blob store's key folders); otherwise a missing folder
  // is NotFound.
  bool create_parents = false;
  // Permission bits of a new file, before the umask.
  int mode = 0666;
};

// Replaces `path` with the bytes `read` gives, atomically (see above). Refuses, with
// InvalidArgument, a target that exists and is not a regular file (a FIFO, a device, a folder:
// writing through would not be a file write at all). A symlink at `path` is replaced, never
// written through. Errors name the path and say why (strerror): PermissionDenied, NotFound for
// a missing folder, Unavailable for I/O failures, or the reader's own error. Returns the
// number of bytes written.
Result<int64_t> WriteFileAtomically(const std::string& path, const ChunkReader& read,
                                    const AtomicWriteOptions& options = {});

// Fsyncs a folder, so that a rename or unlink inside it is durable.
Status SyncFolder(const std::string& folder);

}  // namespace datastory

#endif  // DATASTORY_BASE_FILE_IO_H_
