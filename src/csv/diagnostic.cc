#include "csv/diagnostic.h"

#include <algorithm>

namespace datastory::csv {

std::string_view DiagnosticKindName(DiagnosticKind kind) {
  switch (kind) {
    case DiagnosticKind::kTooFewFields:
      return "too_few_fields";
    case DiagnosticKind::kTooManyFields:
      return "too_many_fields";
    case DiagnosticKind::kUnterminatedQuote:
      return "unterminated_quote";
    case DiagnosticKind::kInvalidValue:
      return "invalid_value";
    case DiagnosticKind::kInvalidEncoding:
      return "invalid_encoding";
    case DiagnosticKind::kSkippedLines:
      return "skipped_lines";
    case DiagnosticKind::kCommentLine:
      return "comment_line";
    case DiagnosticKind::kNulByte:
      return "nul_byte";
    case DiagnosticKind::kFooterLines:
      return "footer_lines";
    case DiagnosticKind::kReadLong:
      return "read_long";
  }
  return "unknown";
}

bool ShowsHowTheFileWasRead(DiagnosticKind kind) {
  return kind == DiagnosticKind::kSkippedLines || kind == DiagnosticKind::kFooterLines ||
         kind == DiagnosticKind::kReadLong;
}

void DiagnosticLog::Add(Diagnostic diagnostic) {
  int k = static_cast<int>(diagnostic.kind);
  if (counts_[k]++ < kKeepPerKind) kept_.push_back(std::move(diagnostic));
}

void DiagnosticLog::Merge(const DiagnosticLog& other) {
  int64_t kept_of_kind[kKinds] = {};
  for (const Diagnostic& d : kept_) kept_of_kind[static_cast<int>(d.kind)]++;
  for (const Diagnostic& d : other.kept_) {
    int k = static_cast<int>(d.kind);
    if (kept_of_kind[k] < kKeepPerKind) {
      kept_.push_back(d);
      kept_of_kind[k]++;
    }
  }
  for (int k = 0; k < kKinds; ++k) counts_[k] += other.counts_[k];
}

int64_t DiagnosticLog::Total() const {
  int64_t total = 0;
  for (int64_t c : counts_) total += c;
  return total;
}

std::vector<Diagnostic> DiagnosticLog::Sorted() const {
  std::vector<Diagnostic> out = kept_;
  std::stable_sort(out.begin(), out.end(), [](const Diagnostic& a, const Diagnostic& b) {
    if (a.line != b.line) return a.line < b.line;
    return static_cast<int>(a.kind) < static_cast<int>(b.kind);
  });
  return out;
}

}  // namespace datastory::csv
