// Tokenizer: splits a block of UTF-8 CSV text into records and fields.
//
// A block starts at a record boundary, outside quotes (the Reader guarantees it). Fields are
// returned as byte ranges of the block, still quoted; Unquote() turns one into its value when
// needed, so numbers and dates are parsed straight from the block without a copy.
//
// Quoting semantics (both implementations): with RFC 4180 quoting, every quote character toggles
// "inside quotes", so `"a,b"` and `"a""b"` are one field and a quote in the middle of a field
// opens a quoted section. With a backslash escape, the byte after `\` is literal.
#ifndef DATASTORY_CSV_TOKENIZER_H_
#define DATASTORY_CSV_TOKENIZER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "csv/diagnostic.h"
#include "csv/dialect.h"

namespace datastory::csv {

// One field: bytes [begin, end()) of the block, and whether they hold a quote (or escape)
// character, so values without one skip Unquote(). Padding for a row with too few fields is
// absent(). Blocks are limited to 2 GiB, leaving the top bit of the end for the flag.
struct Cell {
  static constexpr uint32_t kAbsent = UINT32_MAX;
  static constexpr uint32_t kQuoteBit = 1u << 31;
  uint32_t begin;
  uint32_t end_bits;  // end offset, | kQuoteBit when the field holds a quote or escape

  static Cell Make(uint32_t begin, uint32_t end, bool quote) {
    return Cell{begin, end | (quote ? kQuoteBit : 0)};
  }
  static Cell Absent() { return Cell{kAbsent, kAbsent}; }
  bool absent() const { return begin == kAbsent; }
  uint32_t end() const { return end_bits & ~kQuoteBit; }
  bool has_quote() const { return (end_bits & kQuoteBit) && !absent(); }
};

// Up to `Tokenizer::batch_rows` records of one block, row-major, exactly `columns` cells each.
struct RecordBatch {
  const char* data = nullptr;  // the block
  int columns = 0;
  int64_t rows = 0;
  const Cell* cells = nullptr;
  const uint32_t* row_begin = nullptr;  // record r is [row_begin[r], row_end[r]) of the block
  const uint32_t* row_end = nullptr;
  int64_t block_index = 0;
  int64_t first_row_in_block = 0;

  const Cell& cell(int64_t row, int column) const { return cells[row * columns + column]; }
  std::string_view Raw(int64_t row, int column) const {
    const Cell& c = cell(row, column);
    return c.absent() ? std::string_view() : std::string_view(data + c.begin, c.end() - c.begin);
  }
  // The value of a field: Raw() with quotes and escapes resolved (see Unquote), or empty when
  // absent. May point into `scratch`.
  std::string_view Value(int64_t row, int column, const Dialect& dialect,
                         std::string* scratch) const;
  std::string_view RowBytes(int64_t row) const {
    return {data + row_begin[row], static_cast<size_t>(row_end[row] - row_begin[row])};
  }
};

// The value of a raw field: quotes removed, doubled quotes and escapes resolved. Returns `raw`
// itself when nothing needs removing; otherwise writes into `scratch` and returns a view of it.
std::string_view Unquote(std::string_view raw, const Dialect& dialect, std::string* scratch);

struct TokenizeResult {
  int64_t rows = 0;
  int64_t blank_lines = 0;
  bool unterminated_quote = false;
};

// Not thread-safe; use one per thread. Reuses its buffers across blocks.
class Tokenizer {
 public:
  Tokenizer(const Dialect& dialect, int columns, int64_t batch_rows = 4096);

  // Tokenizes `block`, calling `on_batch` for each batch of records. Ragged rows and an
  // unterminated quote are added to `log`; their line numbers count from `first_line` (the line
  // of the block's first byte) and their offsets from `first_offset`.
  TokenizeResult Run(std::string_view block, int64_t block_index, int64_t first_line,
                     int64_t first_offset, const std::function<void(const RecordBatch&)>& on_batch,
                     DiagnosticLog* log);

  // The byte-at-a-time implementation, for any dialect; the reference in tests and fuzzing.
  TokenizeResult RunScalar(std::string_view block, int64_t block_index, int64_t first_line,
                           int64_t first_offset,
                           const std::function<void(const RecordBatch&)>& on_batch,
                           DiagnosticLog* log);

 private:
  class Emitter;
  TokenizeResult RunSimd(std::string_view block, Emitter& emitter);

  Dialect dialect_;
  int columns_;
  int64_t batch_rows_;
  std::vector<Cell> cells_;
  std::vector<uint32_t> row_begin_;
  std::vector<uint32_t> row_end_;
};

// Splits `text` completely into records of fields (values unquoted), for sniffing and tests.
// Stops after `max_records` records. `offsets` (optional) receives each record's start offset.
std::vector<std::vector<std::string>> SplitRecords(std::string_view text, const Dialect& dialect,
                                                   size_t max_records,
                                                   std::vector<int64_t>* offsets = nullptr,
                                                   bool* unterminated_quote = nullptr);

// The shape of each record of `text`, without building its fields: for scoring dialects.
struct RecordShape {
  int fields = 0;
  bool blank = false;             // one empty field: an empty line
  bool comment = false;           // the first field starts with '#'
  bool last_empty = false;        // the last field is empty (a trailing delimiter)
  bool trailing_comment = false;  // a trailing comment ended it (Dialect::trailing_comments)
  int filled = 0;                 // fields that are not empty
};
std::vector<RecordShape> RecordShapes(std::string_view text, const Dialect& dialect,
                                      size_t max_records, bool* unterminated_quote = nullptr);

}  // namespace datastory::csv

#endif  // DATASTORY_CSV_TOKENIZER_H_
