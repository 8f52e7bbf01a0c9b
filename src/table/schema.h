// Schema: what each column of a table holds — its type, role, unit and textual formats.
#ifndef DATASTORY_TABLE_SCHEMA_H_
#define DATASTORY_TABLE_SCHEMA_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "csv/dialect.h"

namespace datastory::table {

enum class ColumnType {
  kInteger,
  kFloat,
  kBoolean,
  kDate,
  kDatetime,
  kTime,         // a time of day (05:40, 21:30:15), without a date: seconds from midnight
  kCategorical,  // a string with few distinct values
  kText,         // free text
  kIdentifier,   // codes and keys: unique-ish, not to be summed (ids, ZIP codes)
};

// What a column is for in a story.
enum class Role { kMeasure, kDimension, kTime, kIdentifier, kText };

enum class Unit { kNone, kCurrency, kPercent };

std::string_view ColumnTypeName(ColumnType type);  // "integer", "float", …
std::optional<ColumnType> ParseColumnTypeName(std::string_view name);
std::string_view RoleName(Role role);  // "measure", "dimension", …
std::string_view UnitName(Unit unit);  // "", "currency", "percent"

bool IsNumeric(ColumnType type);   // integer, float
bool IsTemporal(ColumnType type);  // date, datetime
bool IsString(ColumnType type);    // categorical, text, identifier

// How numbers are written in a column: `1,234.5`, `1.234,5`, `$1,200`, `12%`, `(300)`.
struct NumberFormat {
  char decimal = '.';
  char thousands = ',';  // accepted between digit groups of three; '\0' = none
};

// How dates are written in a column. Times, fractions of seconds and zones are accepted after
// any of the date forms that can carry them.
enum class DateOrder {
  kYmd,               // 2024-01-31, 2024/01/31, 2024-01-31T04:00:00Z
  kMdy,               // 1/31/2024, 01-31-2024
  kDmy,               // 31/01/2024, 31.01.2024
  kMonthDY,           // Jan 1 2000, January 1, 2000
  kDMonthY,           // 1 Jan 2000, 01-Jan-2000
  kYearMonth,         // 2024-01
  kMonthYear,         // Jan 2024
  kYearQuarter,       // 2024Q1, 2024-Q1, 2024 Q1 (the quarter's first day)
  kQuarterYear,       // Q1 2024, Q1-2024
  kYmdCompact,        // 20240131: eight digits, a year from 1800 to 2100
  kYmdShort,          // 90.01.31, 90-01-31: a two-digit year first
  kYmdOrMdy,          // 2024-01-31 and 1/31/2024 in one column
  kYmdOrDmy,          // 2024-01-31 and 31/01/2024 in one column
  kDecimalYear,       // 2000.5: a year and the part of it gone by, to the day
  kDecimalYearMonth,  // 2000.0833 (February 2000): the same, monthly data, to the month
};
std::string_view DateOrderName(DateOrder order);

// One type tried on a column's sample: how many values parsed and failed before it was kept or
// rejected (a trial stops as soon as too many fail).
struct TypeCandidate {
  std::string kind;  // "boolean", "number 1,234.5", "date D/M/Y" …
  int64_t parsed = 0;
  int64_t failed = 0;
  bool rejected = false;
};

struct ColumnSchema {
  std::string name;
  ColumnType type = ColumnType::kText;
  Role role = Role::kText;
  Unit unit = Unit::kNone;
  std::string currency_symbol;  // "$", "€" … when unit is currency
  NumberFormat number;
  DateOrder date_order = DateOrder::kYmd;
  bool type_set_by_user = false;
  std::string reason;                     // why this type, in a few words
  int64_t sample_values = 0;              // non-null values in the sample
  std::vector<TypeCandidate> candidates;  // what was tried, in order
};

struct Schema {
  csv::Dialect dialect;  // header decided; data_offset points at the first data record
  int64_t first_data_line = 1;
  std::vector<ColumnSchema> columns;
  std::string header_reason;
};

// The role a column of this type plays, given its name and a few facts about its values.
Role DefaultRole(ColumnType type);

// A yes/no column: true/false words, or numbers read as categories (0/1, role dimension).
bool IsYesNo(const ColumnSchema& column);

}  // namespace datastory::table

#endif  // DATASTORY_TABLE_SCHEMA_H_
