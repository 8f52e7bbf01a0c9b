// Limits: how much of an input the reader agrees to take. Every limit has a default a person
// would accept on the command line; the platform sets tighter ones per tier. Reading stops at
// the first limit crossed, with ResourceExhausted, a message that names the limit and where it
// was crossed, and one of the reasons below, so the API can say which limit it was.
//
// The memory plan (docs/profile.md): within these limits the reader holds at most
// (workers + 2) blocks of max(block_bytes, the longest record) and one batch of at most
// kCellsPerBatch cells per worker; the profile's per-column state is planned from the column
// count (analysis/profile.cc). Nothing grows with the number of rows.
#ifndef DATASTORY_CSV_LIMITS_H_
#define DATASTORY_CSV_LIMITS_H_

#include <cstddef>
#include <cstdint>

namespace datastory::csv {

struct Limits {
  // The file's size in bytes; 0 = any size (memory does not grow with it).
  int64_t max_file_bytes = 0;
  // Columns: 16,384 is the widest a spreadsheet exports (Excel's limit).
  int max_columns = 16384;
  // One field, in bytes of text: 1 MiB, 32 times the most a spreadsheet cell holds.
  size_t max_field_bytes = size_t{1} << 20;
  // One record (a row, quoted line breaks included), in bytes of text.
  size_t max_record_bytes = size_t{16} << 20;
  // Data rows; 0 = no limit. Tiers set one.
  int64_t max_rows = 0;
};

// The reasons a limit gives (Status::reason()).
inline constexpr const char* kFileTooLarge = "FILE_TOO_LARGE";
inline constexpr const char* kTooManyColumns = "COLUMN_LIMIT";
inline constexpr const char* kFieldTooLong = "FIELD_TOO_LONG";
inline constexpr const char* kRecordTooLong = "RECORD_TOO_LONG";
inline constexpr const char* kTooManyRows = "ROW_LIMIT";
// Not a limit, but reported the same way: invalid UTF-8 under an explicit `--encoding utf-8`.
inline constexpr const char* kInvalidEncoding = "INVALID_ENCODING";

// Cells (rows × columns) in one batch: a wide table gets batches of fewer rows, so a batch's
// cells take at most 512 KiB whatever the width.
inline constexpr int64_t kCellsPerBatch = 65536;

}  // namespace datastory::csv

#endif  // DATASTORY_CSV_LIMITS_H_
