// Profile: the statistics of a whole CSV file, computed in one streaming pass.
//
// ProfileSource sniffs the dialect, infers the schema, then reads the file on all cores in
// bounded memory. Per column: counts, distinct values (exact up to 100,000, HyperLogLog above),
// moments, quantiles (exact while the distinct values are counted exactly, from a log-linear
// histogram above), a histogram and top values; the Pearson correlation of every pair of
// numeric columns; duplicate rows; alerts; and the reader's diagnostics.
//
// Counts, distinct values, quantiles, histograms and top values do not depend on how the file
// was cut into blocks or on the number of threads. Moments are merged in block order, so they
// do not depend on the number of threads either; a different block size changes them only in
// the last bits.
#ifndef DATASTORY_ANALYSIS_PROFILE_H_
#define DATASTORY_ANALYSIS_PROFILE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analysis/cube.h"
#include "csv/diagnostic.h"
#include "csv/reader.h"
#include "csv/sniffer.h"
#include "csv/source.h"
#include "datastory/result.h"
#include "table/inference.h"
#include "table/schema.h"

namespace datastory::analysis {

struct ProfileOptions {
  csv::SniffOptions sniff;
  table::InferenceOptions inference;
  csv::ReadOptions read;
  int top_values = 10;
  int histogram_bins = 20;
  // Numeric columns paired for correlations: the first ones, or for a story (build_cube) every
  // one while rows × pairs stays within CubePlan::kMaxCellUpdates.
  int max_correlated_columns = 64;
  // Also build the grouped aggregates of a story (Profile::cube), planned by PlanCube.
  bool build_cube = false;
  // A table with a column per year is read as a row per year (analysis/wide_years.h), when the
  // file and its long form each fit in this many bytes of memory; else, or with 0, as it is.
  int64_t max_long_bytes = int64_t{256} << 20;
  std::string time_column;  // the story's time axis, by name; empty = inferred
  int sample_rows = 10000;  // rows sampled for rank correlations and scatter plots
};

struct TopValue {
  std::string value;
  int64_t count = 0;
};

struct Histogram {
  std::vector<double> edges;    // bins + 1 edges; for dates, seconds since the epoch
  std::vector<int64_t> counts;  // bins
};

struct InvalidExample {
  std::string value;
  int64_t line = 0;
};

struct ColumnProfile {
  table::ColumnSchema schema;
  int64_t count = 0;    // values present and valid
  int64_t missing = 0;  // null tokens, empty fields, absent fields
  int64_t invalid = 0;  // present but not parseable as the column's type
  std::vector<InvalidExample> invalid_examples;
  int64_t distinct = 0;
  bool distinct_exact = true;

  // Numbers, and dates as seconds since the epoch (mean and moments only for numbers).
  std::optional<double> min, max, mean, std, skewness, kurtosis, sum;
  std::optional<double> p5, p25, median, p75, p95;
  bool quantiles_exact = true;
  int64_t zeros = 0, negatives = 0, infinite = 0;
  Histogram histogram;

  // Strings (lengths in bytes of UTF-8).
  std::optional<double> min_length, max_length, mean_length;

  std::vector<TopValue> top_values;  // most frequent first; empty when not counted exactly
  std::optional<double> imbalance;   // 1 - normalised entropy, for categorical and boolean
};

struct Correlation {
  std::string a, b;
  std::string method = "pearson";
  double value = 0;
  int64_t n = 0;
};

// ydata-profiling's alert types (docs/profile.md has each rule), in the order of their names.
enum class AlertType {
  kConstant,
  kDuplicates,
  kEmpty,
  kHighCardinality,
  kHighCorrelation,
  kImbalance,
  kInfinite,
  kInvalid,
  kMissing,
  kSkewed,
  kTypeDate,
  kUnique,
  kZeros,
};
std::string_view AlertTypeName(AlertType type);  // "CONSTANT", "DUPLICATES", …

struct Alert {
  AlertType type = AlertType::kMissing;
  std::string column;  // empty for dataset-wide alerts
  double value = 0;    // the measured quantity (share, count, coefficient)
  std::string message;
};

struct Profile {
  std::string source_name;
  int64_t file_bytes = 0;
  csv::Dialect dialect;
  std::string encoding_reason;
  std::string header_reason;
  std::vector<csv::DialectCandidate> dialect_candidates;
  std::vector<std::string> skipped_lines;
  std::vector<std::string> footer_lines;  // after the table: a totals row, notes

  int64_t rows = 0;
  int64_t blank_lines = 0;
  int64_t duplicate_rows = 0;  // rows equal to an earlier row
  bool duplicates_exact = true;
  std::vector<ColumnProfile> columns;
  std::vector<Correlation> correlations;
  std::vector<Alert> alerts;
  std::vector<csv::Diagnostic> diagnostics;  // kept ones, in file order
  int64_t diagnostic_count = 0;
  int threads = 1;
  double seconds = 0;

  Cube cube;  // when ProfileOptions::build_cube
};

// What PlanCube knows of the file before it is read: an estimate of its rows, and the sniffed
// sample's data records, on which the columns are screened when the cube cannot afford them all.
struct PlanEvidence {
  int64_t estimated_rows = 0;
  std::vector<const std::vector<std::string>*> sample;  // fields of each sampled data record
};

// The columns a story aggregates: the time axis (options.time_column, else the first date
// column, else an integer column named like a year); the outcomes (yes/no columns named for
// what happened to each row); numeric measures (not map coordinates, whose sums and averages
// mean nothing) and categorical, boolean or 0/1 dimensions: all of them when the cube can
// afford them (CubePlan's limits), else the most promising, ranked by how strongly each goes
// with another column in the sample, never by position. Fails when options.time_column names no
// column or one that holds no dates or years.
Result<CubePlan> PlanCube(const table::Schema& schema, const ProfileOptions& options,
                          const PlanEvidence& evidence = {});

// Profiles `source`. Fails (with a message naming the file and what is wrong) when it is not a
// readable CSV table: empty, binary, header only, undecodable, or a record too long.
Result<Profile> ProfileSource(const csv::ByteSource& source, const ProfileOptions& options);

}  // namespace datastory::analysis

#endif  // DATASTORY_ANALYSIS_PROFILE_H_
