// Diagnostics: what was odd about the input, where, without stopping the read.
//
// A ragged row or a stray quote is not an error: the row is kept (padded or trimmed) and the
// reader records one Diagnostic. Only the first few of each kind are kept with their position;
// all are counted.
#ifndef DATASTORY_CSV_DIAGNOSTIC_H_
#define DATASTORY_CSV_DIAGNOSTIC_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace datastory::csv {

enum class DiagnosticKind {
  kTooFewFields,       // the row has fewer fields than the header; missing ones read as empty
  kTooManyFields,      // the row has more fields than the header; the extra ones are ignored
  kUnterminatedQuote,  // a quoted field still open at the end of the file
  kInvalidValue,       // a value that does not parse as its column's type (set by the profiler)
  kInvalidEncoding,    // bytes that are not valid in the file's encoding (replaced by U+FFFD)
  kSkippedLines,       // leading lines that are not part of the table (titles, comments)
  kCommentLine,        // a comment line among the rows (Dialect::comment), not a row
  kNulByte,            // NUL bytes in otherwise clean text (one diagnostic: count, first offset)
  kFooterLines,        // lines after the table (a totals row, notes) that are not rows
  kReadLong,           // a column per year, read as a row per year (analysis/wide_years.h)
};

std::string_view DiagnosticKindName(DiagnosticKind kind);  // "too_few_fields", …

// Whether a diagnostic says how the file was read rather than what is wrong in it: lines
// around the table left out, a column per year read as rows. Stories list these.
bool ShowsHowTheFileWasRead(DiagnosticKind kind);

struct Diagnostic {
  DiagnosticKind kind;
  int64_t line = 0;         // 1-based physical line in the decoded text where the row starts
  int64_t byte_offset = 0;  // offset of the row in the decoded text
  std::string message;      // e.g. "expected 9 fields, found 7"
};

// Keeps the first `kKeepPerKind` diagnostics of each kind and counts all of them.
class DiagnosticLog {
 public:
  static constexpr int kKeepPerKind = 20;

  void Add(Diagnostic diagnostic);
  // Appends `other`, keeping this log's entries first.
  void Merge(const DiagnosticLog& other);

  const std::vector<Diagnostic>& kept() const { return kept_; }
  int64_t Count(DiagnosticKind kind) const { return counts_[static_cast<int>(kind)]; }
  int64_t Total() const;
  // Kept entries sorted by position (line, then kind).
  std::vector<Diagnostic> Sorted() const;

 private:
  static constexpr int kKinds = 10;
  std::vector<Diagnostic> kept_;
  int64_t counts_[kKinds] = {};
};

}  // namespace datastory::csv

#endif  // DATASTORY_CSV_DIAGNOSTIC_H_
