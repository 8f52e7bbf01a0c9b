// ColumnAccumulator: the order-independent state of one column while a file streams by, and its
// finalisation into a ColumnProfile. One accumulator per column per worker; Merge() combines
// workers. Moments (order-sensitive) are kept by the caller per block.
#ifndef DATASTORY_ANALYSIS_COLUMN_STATS_H_
#define DATASTORY_ANALYSIS_COLUMN_STATS_H_

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "analysis/log_histogram.h"
#include "analysis/moments.h"
#include "analysis/profile.h"
#include "analysis/value_counter.h"
#include "table/schema.h"

namespace datastory::analysis {

struct InvalidSeen {
  std::string value;
  int64_t block = 0;
  int64_t line = 0;
};

struct ColumnAccumulator {
  ColumnAccumulator(size_t exact_limit, int sketch_precision, size_t exact_text_bytes,
                    int histogram_sub_bits, int64_t histogram_buckets)
      : counter(exact_limit, sketch_precision, exact_text_bytes),
        histogram(histogram_sub_bits, histogram_buckets) {}

  int64_t present = 0, missing = 0, invalid = 0;
  std::vector<InvalidSeen> invalid_seen;  // the first few per worker
  ValueCounter counter;
  // Numbers and dates.
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  int64_t zeros = 0, negatives = 0, infinite = 0;
  bool fraction = false;     // a number with a fractional part: the column is float
  bool time_of_day = false;  // a datetime not at midnight
  LogHistogram histogram;
  // Strings.
  int64_t length_sum = 0, length_min = std::numeric_limits<int64_t>::max(), length_max = 0;
  int64_t with_spaces = 0;

  void Merge(ColumnAccumulator& other);
};

// Builds the profile of one column from its merged state and its moments (merged in order).
ColumnProfile FinalizeColumn(const table::ColumnSchema& schema, const ColumnAccumulator& acc,
                             const Moments& moments, const ProfileOptions& options);

}  // namespace datastory::analysis

#endif  // DATASTORY_ANALYSIS_COLUMN_STATS_H_
