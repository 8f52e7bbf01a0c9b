#include "table/schema.h"

namespace datastory::table {

std::string_view ColumnTypeName(ColumnType type) {
  switch (type) {
    case ColumnType::kInteger:
      return "integer";
    case ColumnType::kFloat:
      return "float";
    case ColumnType::kBoolean:
      return "boolean";
    case ColumnType::kDate:
      return "date";
    case ColumnType::kDatetime:
      return "datetime";
    case ColumnType::kTime:
      return "time";
    case ColumnType::kCategorical:
      return "categorical";
    case ColumnType::kText:
      return "text";
    case ColumnType::kIdentifier:
      return "identifier";
  }
  return "text";
}

std::optional<ColumnType> ParseColumnTypeName(std::string_view name) {
  for (ColumnType t : {ColumnType::kInteger, ColumnType::kFloat, ColumnType::kBoolean,
                       ColumnType::kDate, ColumnType::kDatetime, ColumnType::kTime,
                       ColumnType::kCategorical, ColumnType::kText, ColumnType::kIdentifier}) {
    if (ColumnTypeName(t) == name) return t;
  }
  if (name == "int") return ColumnType::kInteger;
  if (name == "number" || name == "double") return ColumnType::kFloat;
  if (name == "bool") return ColumnType::kBoolean;
  if (name == "timestamp") return ColumnType::kDatetime;
  if (name == "string" || name == "category") return ColumnType::kCategorical;
  if (name == "id") return ColumnType::kIdentifier;
  return std::nullopt;
}

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kMeasure:
      return "measure";
    case Role::kDimension:
      return "dimension";
    case Role::kTime:
      return "time";
    case Role::kIdentifier:
      return "identifier";
    case Role::kText:
      return "text";
  }
  return "text";
}

std::string_view UnitName(Unit unit) {
  switch (unit) {
    case Unit::kNone:
      return "";
    case Unit::kCurrency:
      return "currency";
    case Unit::kPercent:
      return "percent";
  }
  return "";
}

std::string_view DateOrderName(DateOrder order) {
  switch (order) {
    case DateOrder::kYmd:
      return "Y-M-D";
    case DateOrder::kMdy:
      return "M/D/Y";
    case DateOrder::kDmy:
      return "D/M/Y";
    case DateOrder::kMonthDY:
      return "Mon D Y";
    case DateOrder::kDMonthY:
      return "D Mon Y";
    case DateOrder::kYearMonth:
      return "Y-M";
    case DateOrder::kMonthYear:
      return "Mon Y";
    case DateOrder::kYearQuarter:
      return "Y-Q";
    case DateOrder::kQuarterYear:
      return "Q Y";
    case DateOrder::kYmdCompact:
      return "YYYYMMDD";
    case DateOrder::kYmdShort:
      return "YY.MM.DD";
    case DateOrder::kYmdOrMdy:
      return "Y-M-D or M/D/Y";
    case DateOrder::kYmdOrDmy:
      return "Y-M-D or D/M/Y";
    case DateOrder::kDecimalYear:
      return "decimal year";
    case DateOrder::kDecimalYearMonth:
      return "decimal year, monthly";
  }
  return "Y-M-D";
}

bool IsNumeric(ColumnType type) {
  return type == ColumnType::kInteger || type == ColumnType::kFloat;
}
bool IsTemporal(ColumnType type) {
  return type == ColumnType::kDate || type == ColumnType::kDatetime;
}
bool IsString(ColumnType type) {
  return type == ColumnType::kCategorical || type == ColumnType::kText ||
         type == ColumnType::kIdentifier;
}

bool IsYesNo(const ColumnSchema& column) {
  return column.type == ColumnType::kBoolean ||
         (IsNumeric(column.type) && column.role == Role::kDimension);
}

Role DefaultRole(ColumnType type) {
  switch (type) {
    case ColumnType::kInteger:
    case ColumnType::kFloat:
      return Role::kMeasure;
    case ColumnType::kBoolean:
    case ColumnType::kCategorical:
    case ColumnType::kTime:  // grouped by hour of the day
      return Role::kDimension;
    case ColumnType::kDate:
    case ColumnType::kDatetime:
      return Role::kTime;
    case ColumnType::kIdentifier:
      return Role::kIdentifier;
    case ColumnType::kText:
      return Role::kText;
  }
  return Role::kText;
}

}  // namespace datastory::table
