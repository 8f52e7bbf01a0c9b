// Tables with one column per year (Country, Indicator, 1960, 1961, …, 2013, as statistics
// offices publish them) read in long form: a row per entity and year with its value, so the
// years are a time axis and the values one measure, instead of 54 unrelated measures.
#ifndef DATASTORY_ANALYSIS_WIDE_YEARS_H_
#define DATASTORY_ANALYSIS_WIDE_YEARS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "csv/source.h"
#include "datastory/result.h"
#include "table/schema.h"

namespace datastory::analysis {

// The columns named for a year: "1960", "1960 [YR1960]", "YR1960", "Y1960", "X1960" (R's
// names), each a year from 1800 to 2100.
struct YearColumns {
  std::vector<int> columns;  // in file order
  std::vector<int> years;    // the year of each
};

// The year columns of `schema` when it is a wide table: five or more of them, and at least one
// other column to name what each row is. Empty otherwise.
YearColumns FindYearColumns(const table::Schema& schema);

struct LongTable {
  std::string csv;         // UTF-8, comma-delimited, with a header: the other columns, year, value
  std::string value_name;  // the indicator's name when the file holds one indicator, else "value"
  std::vector<int> empty_years;      // year columns without a single number
  std::vector<std::string> dropped;  // columns with one value in every row (the indicator's name)
  int64_t rows = 0;                  // rows of the long table
  int64_t wide_rows = 0;             // rows of the file
};

// Reads the whole of `source` (as `schema` describes it) into its long form: for every row and
// year column with a number, one row of the other columns, the year and the number. Values that
// are not numbers (`..`, `n/a`) are missing. Fails with ResourceExhausted past `max_bytes` of
// long text.
Result<LongTable> ReadLong(const csv::ByteSource& source, const table::Schema& schema,
                           const YearColumns& years, int64_t max_bytes);

}  // namespace datastory::analysis

#endif  // DATASTORY_ANALYSIS_WIDE_YEARS_H_
