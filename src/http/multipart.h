// multipart/form-data (RFC 7578), read as a stream: the one file field an upload form sends is
// handed on piece by piece as it arrives, never held whole.
#ifndef DATASTORY_HTTP_MULTIPART_H_
#define DATASTORY_HTTP_MULTIPART_H_

#include <memory>
#include <string>
#include <string_view>

#include "base/file_io.h"
#include "datastory/result.h"

namespace datastory::http {

// The boundary of a Content-Type "multipart/form-data; boundary=…"; InvalidArgument when the
// type is not that or the boundary is missing or malformed (RFC 2046: 1 to 70 characters).
Result<std::string> MultipartBoundary(std::string_view content_type);

// Reads `body` (a whole multipart body) up to the part named `field`, then gives that part's
// bytes through Read(). Other parts before it are skipped (a few KiB at most: they are form
// fields, not files).
class MultipartReader {
 public:
  MultipartReader(ChunkReader body, std::string boundary, std::string field);

  // Finds the field's part: InvalidArgument (reason NO_FILE_FIELD) when the body ends without
  // it, or when the body is not well-formed multipart.
  Status Open();
  // The file name the part's Content-Disposition gives (empty when none).
  const std::string& filename() const { return filename_; }
  const std::string& content_type() const { return content_type_; }
  // The part's next bytes: the count, 0 at its end, or an error (a body cut short).
  Result<size_t> Read(char* buffer, size_t capacity);

 private:
  // Makes sure `buffer_` holds at least `want` bytes past `start_`, unless the body ends.
  Status Fill(size_t want);
  Result<std::string> ReadLine();

  ChunkReader body_;
  const std::string delimiter_;  // "\r\n--" + boundary
  const std::string field_;
  std::string buffer_;
  size_t start_ = 0;
  bool body_ended_ = false;
  bool part_ended_ = false;
  std::string filename_;
  std::string content_type_;
};

}  // namespace datastory::http

#endif  // DATASTORY_HTTP_MULTIPART_H_
