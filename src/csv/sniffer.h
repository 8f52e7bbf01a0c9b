// Sniffer: the first phase of reading a CSV — encoding, line ending, and dialect.
//
// Each decision is a list of candidates with a score; the best wins and the list is kept so
// `profile --explain` (and the tests) can say why. What the user set is never second-guessed.
// The header decision needs column types, so it is made by the next phase
// (table::InferSchema); the sniffer hands it the sample records.
#ifndef DATASTORY_CSV_SNIFFER_H_
#define DATASTORY_CSV_SNIFFER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "csv/dialect.h"
#include "csv/limits.h"
#include "csv/source.h"
#include "datastory/result.h"

namespace datastory::csv {

struct SniffOptions {
  DialectOverrides overrides;
  // Read from the start of the file; doubled, up to the record limit, while the sample holds
  // fewer than two complete records (a header wider than the sample).
  size_t sample_bytes = 2 << 20;
  size_t extra_samples = 6;  // further pieces spread over a large file, for the types
  size_t extra_sample_bytes = 256 << 10;
  size_t max_sample_records = 20000;
};

struct DialectCandidate {
  char delimiter = ',';
  char quote = '"';
  char escape = '"';
  int columns = 0;          // the most common field count
  int skipped_records = 0;  // leading records that do not have that count
  double consistency = 0;   // share of the remaining records that have it
  bool literal_inner_quotes = false;
  bool unterminated_quote = false;
  // The first record is a header one name wider than the rows (`one,two,three,four` over
  // `1,a,alice`, or `a,b,` over `1,2`): it is kept, and `columns` is the rows' width.
  bool wider_header = false;
  double score = 0;  // consistency, discounted for one column and open quotes
};

struct SniffResult {
  Dialect dialect;  // header is a guess; see header_set_by_user
  bool header_set_by_user = false;
  std::string encoding_reason;
  std::vector<DialectCandidate> candidates;  // best first
  int columns = 0;
  // Records of the sample from the first table record on (the header, if there is one, first),
  // with their offsets in the decoded text and their 1-based line numbers.
  std::vector<std::vector<std::string>> records;
  std::vector<int64_t> record_offsets;
  std::vector<int64_t> record_lines;
  // Records from further into a large file, for type inference only (no header among them).
  std::vector<std::vector<std::string>> extra_records;
  std::vector<std::string> skipped_lines;  // the junk lines before the table, for messages
  std::vector<std::string> footer_lines;   // the lines after it (Dialect::footer_offset)
  bool sample_is_whole_file = false;
  int64_t file_bytes = 0;
};

// Sniffs `source`. Fails with InvalidArgument when the file is empty, binary, or not text in
// any supported encoding (invalid UTF-8 in the sample, when the user set utf-8); with
// ResourceExhausted when it crosses the file-size, column or record limit. The message says
// what and where.
Result<SniffResult> SniffDialect(const ByteSource& source, const SniffOptions& options,
                                 const Limits& limits = {});

}  // namespace datastory::csv

#endif  // DATASTORY_CSV_SNIFFER_H_
