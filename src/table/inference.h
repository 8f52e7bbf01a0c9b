// Schema inference: the phases after the dialect — header, then column types.
//
// Each column's type is chosen from candidates (boolean, integer, float, date, datetime,
// categorical, text, identifier) by what parses in the sample, the values' shape, and name
// hints; the reason is recorded. Types the user set (`--type col=kind`) and the header choice
// (`--no-header`) win over every guess.
#ifndef DATASTORY_TABLE_INFERENCE_H_
#define DATASTORY_TABLE_INFERENCE_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "csv/sniffer.h"
#include "datastory/result.h"
#include "table/schema.h"

namespace datastory::table {

// The reason (Status::reason) when what the user set cannot apply: a type override or a time
// column that names no column, a time column without dates.
inline constexpr const char* kInvalidOptions = "INVALID_OPTIONS";

struct InferenceOptions {
  std::map<std::string, ColumnType> type_overrides;  // by column name
  // A type is kept when at most this share of a column's non-null sample values fail to parse
  // as it (they are reported as invalid values later); 0 for samples under 100 values.
  double max_invalid_share = 0.01;
};

// Decides header and types from the sniffer's sample. Fails (kInvalidOptions) when a type
// override names a column that does not exist.
Result<Schema> InferSchema(const csv::SniffResult& sniff, const InferenceOptions& options);

// Column names made unique, in order: the first of equal names keeps it, the next ones get
// "_2", "_3" … (skipping any taken). Linear in the number of names.
std::vector<std::string> UniqueNames(std::vector<std::string> names);

// The guess for one column from its sample values (unquoted text, nulls included).
ColumnSchema GuessColumn(std::string_view name, const std::vector<std::string_view>& values,
                         char delimiter, const InferenceOptions& options);

// Facts about a string column, from a sample or from the full profile.
struct StringFacts {
  int64_t count = 0;  // non-null values
  int64_t distinct = 0;
  double mean_length = 0;
  double share_with_spaces = 0;
  // Few values (kMaxLabels at most), all words (IsWordLabel): the names of the things a small
  // table lists (France, Germany …), to compare, not keys.
  bool labels = false;
};
constexpr int64_t kMaxLabels = 100;
// Letters (any script), with spaces, `-`, `.`, `'` and `&` between them, and no digit.
bool IsWordLabel(std::string_view value);
// categorical, text or identifier.
ColumnType ClassifyStrings(std::string_view name, const StringFacts& facts);

// True when the name says "this is a key or a code": id, *_id, uuid, zip, postal code, phone.
bool NameSuggestsIdentifier(std::string_view name);

// The role of a whole-number column named like a year ("year", "Year", "fiscal_year", "yr")
// whose values all lie in [1000, 2999]: time, not a measure to be summed.
bool IsYearColumn(std::string_view name, double min, double max);
// "latitude", "lon", "pickup_longitude": a map coordinate, which has no meaningful sum or
// average across places.
bool NameSuggestsCoordinate(std::string_view name);
// "year", "Year", "fiscal_year", "yr": a name for a column of years.
bool NameSuggestsYear(std::string_view name);
// "month", "Month", "mo", "fiscal_month": a column of months of the year (1–12).
bool NameSuggestsMonth(std::string_view name);
// "quarter", "qtr", "Q": a column of quarters of the year (1–4).
bool NameSuggestsQuarter(std::string_view name);
// "discount", "conversion_rate", "pct_female", "share": a rate, ratio or share, which is
// averaged and never added (and, when its values lie in 0–1, written as a percentage).
bool NameSuggestsRate(std::string_view name);
// "visits", "impressions", "students", "population", "n_customers": a count of the people or
// events a rate is a rate of, by which the rate is weighted when groups are compared.
bool NameSuggestsBase(std::string_view name);
// "population", "balance", "inventory", "headcount": a level at a point in time, whose values
// over time do not add up (the population of 1960 and of 1961 are not 2 populations).
bool NameSuggestsStock(std::string_view name);
// "age", "TotalWorkingYears", "tenure", "years_experience": a count of years that have passed
// (a person's age, time in a job). Two such columns rise together by construction.
bool NameSuggestsElapsedYears(std::string_view name);
// "churn", "Attrition", "is_canceled", "Survived", "default_payment": a name for what happened
// to each row. A yes/no column so named is the outcome of the table (the story states its rate
// and what goes with it).
bool NameSuggestsOutcome(std::string_view name);

}  // namespace datastory::table

#endif  // DATASTORY_TABLE_INFERENCE_H_
