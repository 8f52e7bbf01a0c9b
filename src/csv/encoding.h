// Encoding detection and transcoding to UTF-8.
//
// DetectEncoding looks at the first bytes of a file: a BOM decides; otherwise binary formats are
// recognised by their magic numbers and refused, UTF-16 without a BOM is recognised by its NUL
// pattern, valid UTF-8 stays UTF-8, and other bytes that look like text are read as
// Windows-1252. Everything downstream of the Decoder sees UTF-8.
#ifndef DATASTORY_CSV_ENCODING_H_
#define DATASTORY_CSV_ENCODING_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "csv/dialect.h"
#include "datastory/result.h"

namespace datastory::csv {

struct EncodingGuess {
  Encoding encoding = Encoding::kUtf8;
  size_t bom_bytes = 0;  // bytes to skip at the start of the file
  std::string reason;    // why, for `--explain` and JSON
};

// `head` is the first bytes of the file (64 KiB or more is plenty); `at_eof` says whether it is
// the whole file. Fails with InvalidArgument when the bytes are not text: a known binary format
// ("looks like a PNG image"), NUL bytes, or bytes that are neither UTF-8 nor Windows-1252 text.
Result<EncodingGuess> DetectEncoding(std::string_view head, bool at_eof);

// The offset of the first byte where `bytes` stops being valid UTF-8, or npos. A sequence cut
// off by the end of `bytes` counts as valid when `allow_truncated_tail`.
size_t FindInvalidUtf8(std::string_view bytes, bool allow_truncated_tail);

// Invalid UTF-8 in a piece of text: how many bytes (each invalid byte counts once, as a decoder
// that replaces it by U+FFFD would count it) and the offset of the first.
struct Utf8Errors {
  int64_t bytes = 0;
  size_t first = 0;  // meaningful when bytes > 0
};
// Checks a piece that starts and ends on character boundaries (a CSV block does: it is cut
// after a line break). ASCII runs are checked 16 bytes at a time.
Utf8Errors CountInvalidUtf8(std::string_view text);

// Incremental transcoder to UTF-8 (iconv underneath). Feed it consecutive pieces of the file;
// a multi-byte character split between two pieces is carried over. Not thread-safe.
class Decoder {
 public:
  static Result<std::unique_ptr<Decoder>> Create(Encoding encoding);
  virtual ~Decoder() = default;

  // Appends the UTF-8 text of `input` to `out`. With `final`, a truncated character at the end
  // becomes U+FFFD. Invalid input bytes become U+FFFD and are counted in invalid_bytes().
  virtual void Decode(std::string_view input, bool final, std::string* out) = 0;
  virtual int64_t invalid_bytes() const = 0;
  // True when Decode() returns its input unchanged (UTF-8), so callers can skip the copy.
  virtual bool IsIdentity() const { return false; }
};

}  // namespace datastory::csv

#endif  // DATASTORY_CSV_ENCODING_H_
