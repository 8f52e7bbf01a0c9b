// The story pipeline as one call (DESIGN.md §2): a byte source and a request in, a story out,
// with progress by stage, a cancellation token, read limits and a thread budget. The CLI, the
// worker and the API's preview all go through here; none of them wires the stages by hand.
//
//   parsing    0 – 70%   sniff, infer the schema, read and profile the file (by bytes read)
//   analyzing 70 – 85%   the insight detectors
//   charting  85 – 92%   choosing the findings and their charts
//   writing   92 – 100%  the narratives
//
// Failures keep the reason the reader gave (csv/limits.h: ROW_LIMIT …) and otherwise get one:
// PARSE_ERROR for a file that is not a readable table, CANCELLED, INTERNAL.
#ifndef DATASTORY_PIPELINE_PIPELINE_H_
#define DATASTORY_PIPELINE_PIPELINE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/profile.h"
#include "csv/dialect.h"
#include "csv/limits.h"
#include "csv/source.h"
#include "datastory/result.h"
#include "story/story.h"
#include "table/schema.h"

namespace datastory::pipeline {

enum class Stage { kParsing, kAnalyzing, kCharting, kWriting };
std::string_view StageName(Stage stage);  // "parsing", "analyzing", "charting", "writing"

// Reasons (Status::reason) the pipeline adds to failures that have none.
inline constexpr const char* kParseError = "PARSE_ERROR";
inline constexpr const char* kCancelledReason = "CANCELLED";

// What a reader asked for: the API's options and overrides, the CLI's flags. What is set here
// beats what is inferred.
struct StoryRequest {
  story::Audience audience = story::Audience::kExecutive;
  std::string title;                               // empty: from the file name
  std::string time_column;                         // empty: inferred
  std::map<std::string, table::ColumnType> types;  // column → type
  csv::DialectOverrides dialect;
  csv::Limits limits;
  int threads = 0;  // the thread budget: 0 = every core; a server passes its share
  size_t block_bytes = size_t{8} << 20;
};

// The request's fields from the words people type, shared by the CLI flags and the API's JSON.
// Each fails with InvalidArgument naming what it expected.
Result<story::Audience> ParseAudience(std::string_view name);  // executive, technical, general
Result<char> ParseDelimiter(std::string_view text);            // "," ";" "\t" "|" or comma, tab …
Result<csv::Encoding> ParseEncoding(std::string_view name);
Result<table::ColumnType> ParseColumnType(std::string_view name);
// "COLUMN=KIND", as --type takes it.
Status AddTypeOverride(std::string_view column_equals_kind, StoryRequest* request);

// Set from any thread; the pipeline stops at the next block or stage with Cancelled.
class CancelToken {
 public:
  void Cancel() { cancelled_.store(true, std::memory_order_relaxed); }
  bool cancelled() const { return cancelled_.load(std::memory_order_relaxed); }

 private:
  std::atomic<bool> cancelled_{false};
};

// Called with the stage and the overall percentage, which never goes back. From the reading
// thread during parsing; must be cheap.
using ProgressFn = std::function<void(Stage stage, int percent)>;

struct StoryResult {
  story::Story story;
  int64_t processing_ms = 0;
};

// The profile's options for a request (what `profile` and `scan` read with, and the first
// stage of MakeStory).
analysis::ProfileOptions ProfileOptionsFor(const StoryRequest& request);

// Makes the story of `source`. `source.name()` names the file in messages and titles.
Result<StoryResult> MakeStory(const csv::ByteSource& source, const StoryRequest& request,
                              const ProgressFn& progress = nullptr,
                              const CancelToken* cancel = nullptr);

// What was read from the start of a file, for a person to check before a story is made: the
// dialect, each column's type and role (and why), the first rows as parsed, the problems found,
// and an estimate of the rows in the whole file.
struct Preview {
  csv::Dialect dialect;
  std::string encoding_reason;
  std::string header_reason;
  std::vector<table::ColumnSchema> columns;
  std::vector<std::vector<std::string>> rows;  // the first rows, values as read
  std::vector<csv::Diagnostic> problems;       // in the part read
  int64_t rows_read = 0;                       // data rows in the part read
  int64_t row_estimate = 0;                    // for the whole file, from the bytes per row read
  bool whole_file_read = false;                // then rows_read is exact
};

// The preview of `source` from its first `sample_bytes`, with the request's overrides applied.
// Fails as MakeStory would on a file that is not a readable table (PARSE_ERROR, the limits'
// reasons).
Result<Preview> MakePreview(const csv::ByteSource& source, const StoryRequest& request,
                            int max_rows = 20, size_t sample_bytes = size_t{2} << 20);

// kCompactJson: the JSON without indentation, as stored and served by the platform.
// kChartsJson: the charts drawn as SVG ([{id, svg}]), kept with a story for the web UI.
enum class Format { kJson, kHtml, kMarkdown, kCompactJson, kChartsJson };
// "json", "html", "md" (or "markdown").
Result<Format> ParseFormat(std::string_view name);
std::string Render(const StoryResult& result, Format format);

}  // namespace datastory::pipeline

#endif  // DATASTORY_PIPELINE_PIPELINE_H_
