#include "table/inference.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "base/text.h"
#include "csv/tokenizer.h"
#include "table/value_parse.h"

namespace datastory::table {
namespace {

int64_t AllowedFailures(int64_t n, const InferenceOptions& options) {
  return n < 100 ? 0 : static_cast<int64_t>(options.max_invalid_share * n);
}

// The date orders tried, most common first.
constexpr DateOrder kDateOrders[] = {
    DateOrder::kYmd, DateOrder::kMdy, DateOrder::kDmy, DateOrder::kMonthDY, DateOrder::kDMonthY,
    DateOrder::kYearMonth, DateOrder::kMonthYear, DateOrder::kYearQuarter, DateOrder::kQuarterYear,
    // Rarer forms, and two forms mixed in a column: they win only by parsing more values.
    DateOrder::kYmdShort, DateOrder::kYmdOrMdy, DateOrder::kYmdOrDmy};

// Decimal years (2000.0833): numbers from 1000 to 2999, some with a fraction, in a column named
// like a year or a date, or stepping evenly by a twelfth, a quarter, a week or a day of a year.
// Monthly ones are read to the month (their fractions are rounded twelfths), others to the day.
std::optional<DateOrder> DecimalYearOrder(std::string_view name,
                                          const std::vector<std::string_view>& values) {
  if (values.size() < 3) return std::nullopt;
  std::vector<double> years;
  years.reserve(values.size());
  bool fraction = false;
  for (std::string_view v : values) {
    double x;
    NumberTraits traits;
    if (!ParseSimpleNumber(v, '.', &x, &traits) || x < 1000 || x >= 3000) return std::nullopt;
    fraction |= x != std::floor(x);
    years.push_back(x);
  }
  if (!fraction) return std::nullopt;
  std::sort(years.begin(), years.end());
  years.erase(std::unique(years.begin(), years.end()), years.end());
  std::vector<double> steps;
  for (size_t i = 1; i < years.size(); ++i) steps.push_back(years[i] - years[i - 1]);
  std::nth_element(steps.begin(), steps.begin() + steps.size() / 2, steps.end());
  const double step = steps.empty() ? 0 : steps[steps.size() / 2];
  auto near = [&](double period) { return std::abs(step - period) <= period * 0.05; };
  const bool monthly = near(1.0 / 12);
  const bool even = monthly || near(0.25) || near(7 / 365.25) || near(1 / 365.25);
  const std::vector<std::string> words = NameWords(name);
  const bool named = NameSuggestsYear(name) || NameHasWord(words, {"date", "decimal"});
  // Unnamed, only monthly steps whose fractions are all twelfths (or mid-month twenty-fourths):
  // a price with a tick of a quarter is not a date.
  bool twelfths = monthly;
  for (size_t i = 0; i < years.size() && twelfths; ++i) {
    const double k = (years[i] - std::floor(years[i])) * 24;
    twelfths = std::abs(k - std::round(k)) < 0.02;
  }
  if (!(named && even) && !(named && fraction) && !twelfths) return std::nullopt;
  return monthly ? DateOrder::kDecimalYearMonth : DateOrder::kDecimalYear;
}

struct NumberTrial {
  NumberFormat format;
  int64_t parsed = 0;
  NumberTraits seen;  // OR of the traits of all values
};

// Whether one value parses as the column's guessed type.
bool ValueFitsType(std::string_view value, const ColumnSchema& col) {
  switch (col.type) {
    case ColumnType::kInteger:
    case ColumnType::kFloat:
      return ParseNumber(value, col.number).has_value();
    case ColumnType::kBoolean:
      return ParseBoolean(value).has_value();
    case ColumnType::kDate:
    case ColumnType::kDatetime:
      return ParseDate(value, col.date_order).has_value();
    case ColumnType::kTime:
      return ParseTimeOfDay(value).has_value();
    case ColumnType::kIdentifier: {  // digit codes such as ZIP codes
      value = TrimSpaces(value);
      return !value.empty() && value.find_first_not_of("0123456789") == std::string_view::npos;
    }
    default:
      return true;
  }
}

}  // namespace

bool NameSuggestsIdentifier(std::string_view name) {
  std::string n = AsciiLower(name);
  auto ends_with = [&](std::string_view suffix) {
    return n.size() >= suffix.size() &&
           n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (n == "id" || n == "uuid" || n == "guid" || n == "key") return true;
  if (ends_with("_id") || ends_with(" id") || ends_with("-id") || ends_with("_key") ||
      ends_with("uuid")) {
    return true;
  }
  // camelCase "customerId", "userID"
  if (name.size() > 2 &&
      (name.substr(name.size() - 2) == "Id" || name.substr(name.size() - 2) == "ID")) {
    return true;
  }
  for (std::string_view hint : {"zip", "postal", "postcode", "phone", "fips", "isbn", "iata"}) {
    if (n.find(hint) != std::string::npos) return true;
  }
  return false;
}

bool NameSuggestsCoordinate(std::string_view name) {
  std::string n = AsciiLower(name);
  for (std::string_view word : {"latitude", "longitude", "lat", "lon", "lng", "long"}) {
    if (n == word) return true;
  }
  return n.find("latitude") != std::string::npos || n.find("longitude") != std::string::npos;
}

bool NameSuggestsYear(std::string_view name) {
  std::string n = AsciiLower(name);
  auto ends_with = [&](std::string_view suffix) {
    return n.size() >= suffix.size() &&
           n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return n == "yr" || ends_with("year") || ends_with("_yr");
}

bool NameSuggestsMonth(std::string_view name) {
  const std::vector<std::string> words = NameWords(name);
  return !words.empty() && (words.back() == "month" || words.back() == "mo" ||
                            words.back() == "mon" || words.back() == "mnth");
}

bool NameSuggestsQuarter(std::string_view name) {
  const std::vector<std::string> words = NameWords(name);
  return !words.empty() &&
         (words.back() == "quarter" || words.back() == "qtr" || words.back() == "q");
}

bool NameSuggestsRate(std::string_view name) {
  return NameHasWord(
      NameWords(name),
      {"rate", "ratio", "pct", "percent", "share", "discount", "proportion", "fraction",
       "probability", "likelihood", "conversion", "utilization", "efficiency", "margin", "yield"});
}

bool NameSuggestsBase(std::string_view name) {
  const std::vector<std::string> words = NameWords(name);
  // Whole words: "n" and "count" would otherwise start many names.
  for (const std::string& w : words) {
    if (w == "n" || w == "count" || w == "base" || w == "size") return true;
  }
  return NameHasWord(words, {"visit",      "session",     "user",       "customer",  "impression",
                             "population", "student",     "respondent", "patient",   "member",
                             "household",  "employee",    "headcount",  "enrol",     "subscriber",
                             "viewer",     "audience",    "recipient",  "applicant", "attempt",
                             "trial",      "participant", "lead",       "pupil",     "resident"});
}

bool NameSuggestsStock(std::string_view name) {
  return NameHasWord(NameWords(name),
                     {"population", "balance", "inventory", "headcount", "reserve", "debt", "asset",
                      "holding", "outstanding", "backlog", "stock", "subscriber"});
}

bool NameSuggestsElapsedYears(std::string_view name) {
  const std::vector<std::string> words = NameWords(name);
  // "age" whole, since NameHasWord reads prefixes ("agent", "agency").
  if (std::find(words.begin(), words.end(), "age") != words.end()) return true;
  return NameHasWord(words, {"tenure", "experience", "seniority", "years", "yrs"});
}

bool NameSuggestsOutcome(std::string_view name) {
  // Prefixes of words, as NameHasWord reads them: "cancel" is in "canceled" and "cancelled".
  return NameHasWord(
      NameWords(name),
      {"churn",    "attrition", "default",   "convert",  "conversion", "surviv",  "returned",
       "cancel",   "exited",    "left",      "fraud",    "clicked",    "purchas", "subscrib",
       "respon",   "approv",    "accepted",  "rejected", "died",       "death",   "deceased",
       "readmit",  "resign",    "terminat",  "quit",     "lapse",      "renew",   "delinquen",
       "dropout",  "retain",    "retention", "outcome",  "target",     "bought",  "hired",
       "admitted", "success",   "failed",    "failure",  "won",        "stroke",  "disease"});
}

bool IsYearColumn(std::string_view name, double min, double max) {
  return NameSuggestsYear(name) && min >= 1000 && max <= 2999 && min == std::floor(min);
}

bool IsWordLabel(std::string_view value) {
  bool letter = false;
  for (unsigned char c : value) {
    if (c >= '0' && c <= '9') return false;
    const bool word = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c >= 0x80;
    if (!word && c != ' ' && c != '-' && c != '.' && c != '\'' && c != '&') return false;
    letter |= word;
  }
  return letter;
}

ColumnType ClassifyStrings(std::string_view name, const StringFacts& f) {
  if (f.count == 0) return ColumnType::kText;
  double distinct_ratio = static_cast<double>(f.distinct) / f.count;
  bool all_unique = f.distinct == f.count;
  if (NameSuggestsIdentifier(name) && distinct_ratio > 0.5) return ColumnType::kIdentifier;
  if (all_unique && f.count >= 10 && f.share_with_spaces < 0.05 && f.mean_length <= 40 &&
      !f.labels) {
    return ColumnType::kIdentifier;
  }
  if (f.mean_length >= 40 ||
      (f.distinct > 50 && distinct_ratio > 0.5 && f.share_with_spaces > 0.5)) {
    return ColumnType::kText;
  }
  return ColumnType::kCategorical;
}

ColumnSchema GuessColumn(std::string_view name, const std::vector<std::string_view>& values,
                         char delimiter, const InferenceOptions& options) {
  ColumnSchema col;
  col.name = std::string(name);
  std::vector<std::string_view> present;
  for (std::string_view v : values) {
    if (!IsNullToken(v)) present.push_back(TrimSpaces(v));
  }
  const int64_t n = static_cast<int64_t>(present.size());
  if (n == 0) {
    col.type = ColumnType::kText;
    col.role = Role::kText;
    col.reason = "every sampled value is missing";
    return col;
  }
  const int64_t allowed = AllowedFailures(n, options);

  // Each trial stops at the first failure past the allowance: most fail on the first values.
  col.sample_values = n;
  auto count_parsed = [&](std::string kind, auto&& parses) -> int64_t {
    TypeCandidate& trial = col.candidates.emplace_back();
    trial.kind = std::move(kind);
    for (std::string_view v : present) {
      if (parses(v)) {
        ++trial.parsed;
      } else if (++trial.failed > allowed) {
        trial.rejected = true;
        return -1;
      }
    }
    return trial.parsed;
  };

  // Boolean: words only (0/1 stay integers).
  // Single letters (T, F, Y, N) are yes/no only when both answers occur: a column of `T` alone
  // is a code, as `y` alone is a letter.
  bool yes_no_word = false, seen_yes = false, seen_no = false;
  bool yes_no = count_parsed("boolean", [&](std::string_view v) {
                  const std::optional<bool> b = ParseBoolean(v);
                  if (!b) return false;
                  yes_no_word |= v.size() > 1;
                  (*b ? seen_yes : seen_no) = true;
                  return true;
                }) >= 0;
  if (yes_no && !yes_no_word && !(seen_yes && seen_no)) {
    col.candidates.back().rejected = true;  // letters of one answer only
    yes_no = false;
  }
  if (yes_no) {
    col.type = ColumnType::kBoolean;
    col.role = Role::kDimension;
    col.reason = "true/false values";
    return col;
  }

  // Dates written as eight digits (19580329): every value a valid date from 1800 to 2100, else
  // they are numbers (an amount, a code).
  if (!present.empty() && std::all_of(present.begin(), present.end(), [](std::string_view v) {
        return ParseDate(v, DateOrder::kYmdCompact).has_value();
      })) {
    col.date_order = DateOrder::kYmdCompact;
    col.type = ColumnType::kDate;
    col.role = Role::kTime;
    col.reason = "dates written YYYYMMDD";
    return col;
  }

  // Numbers: try the two conventions; a ';' or tab file prefers the decimal comma on a tie.
  NumberTrial trials[3];
  trials[0].format = {'.', ','};
  trials[1].format = {',', '.'};
  trials[2].format = {',', ' '};
  for (NumberTrial& t : trials) {
    std::string kind = std::string("number 1") +
                       (t.format.thousands ? std::string(1, t.format.thousands) : "") + "234" +
                       t.format.decimal + "5";
    t.parsed = count_parsed(kind, [&](std::string_view v) {
      NumberTraits traits;
      if (!ParseNumber(v, t.format, &traits)) return false;
      t.seen.fraction |= traits.fraction;
      t.seen.leading_zero |= traits.leading_zero;
      t.seen.percent |= traits.percent;
      t.seen.currency |= traits.currency;
      t.seen.thousands |= traits.thousands;
      if (traits.currency) t.seen.currency_symbol = traits.currency_symbol;
      return true;
    });
  }
  bool comma_first = delimiter == ';' || delimiter == '\t';
  NumberTrial* best = &trials[0];
  if (trials[1].parsed > best->parsed || (comma_first && trials[1].parsed == best->parsed)) {
    best = &trials[1];
  }
  if (trials[2].parsed > best->parsed) best = &trials[2];
  if (best->parsed >= 0) {
    if (best->seen.leading_zero && !best->seen.fraction) {
      col.type = ColumnType::kIdentifier;
      col.role = Role::kIdentifier;
      col.reason = "digits with leading zeros: a code, not a number";
      return col;
    }
    if (best->seen.fraction && best->format.decimal == '.' && !best->seen.thousands) {
      if (auto order = DecimalYearOrder(name, present)) {
        col.date_order = *order;
        col.type = ColumnType::kDate;
        col.role = Role::kTime;
        col.reason = "dates written as decimal years";
        return col;
      }
    }
    col.number = best->format;
    col.type = best->seen.fraction ? ColumnType::kFloat : ColumnType::kInteger;
    col.unit = best->seen.currency  ? Unit::kCurrency
               : best->seen.percent ? Unit::kPercent
                                    : Unit::kNone;
    col.currency_symbol = std::string(best->seen.currency_symbol);
    col.reason = best->format.decimal == ',' ? "numbers with a decimal comma" : "numbers";
    col.role = Role::kMeasure;
    if (col.type == ColumnType::kInteger &&
        std::all_of(present.begin(), present.end(), [](auto v) { return v == "0" || v == "1"; }) &&
        std::count(present.begin(), present.end(), "1") > 0 &&
        std::count(present.begin(), present.end(), "0") > 0) {
      // 0/1: a yes/no answer per row, to count and compare by, not a quantity to add up.
      col.role = Role::kDimension;
      col.reason = "only 0 and 1: a yes/no column";
      return col;
    }
    if (col.type == ColumnType::kInteger && NameSuggestsIdentifier(name)) {
      col.type = ColumnType::kIdentifier;
      col.role = Role::kIdentifier;
      col.reason = "whole numbers in a column named like a key";
    }
    return col;
  }

  // Dates: the order that parses the most values; M/D against D/M is settled by the values
  // (a first part above 12 means day first), with month first on a tie.
  DateOrder best_order = DateOrder::kYmd;
  int64_t best_parsed = -1;
  bool any_time = false;
  for (DateOrder order : kDateOrders) {
    bool has_time = false;
    int64_t parsed =
        count_parsed("date " + std::string(DateOrderName(order)), [&](std::string_view v) {
          auto t = ParseDate(v, order);
          if (t) has_time |= t->has_time && t->seconds % 86400 != 0;
          return t.has_value();
        });
    if (parsed > best_parsed) best_parsed = parsed, best_order = order, any_time = has_time;
  }
  if (best_parsed >= 0) {
    col.date_order = best_order;
    col.type = any_time ? ColumnType::kDatetime : ColumnType::kDate;
    col.role = Role::kTime;
    col.reason = std::string("dates written ") + std::string(DateOrderName(best_order));
    return col;
  }

  // Times of day without a date (05:40, 21:30:15): grouped by hour.
  if (count_parsed("time of day",
                   [](std::string_view v) { return ParseTimeOfDay(v).has_value(); }) >= 0) {
    col.type = ColumnType::kTime;
    col.role = Role::kDimension;
    col.reason = "times of day";
    return col;
  }

  // Strings.
  StringFacts facts;
  facts.count = n;
  std::unordered_set<std::string_view> distinct(present.begin(), present.end());
  facts.distinct = static_cast<int64_t>(distinct.size());
  int64_t length = 0, spaced = 0;
  for (std::string_view v : present) {
    length += static_cast<int64_t>(v.size());
    spaced += v.find(' ') != std::string_view::npos;
  }
  facts.mean_length = static_cast<double>(length) / n;
  facts.share_with_spaces = static_cast<double>(spaced) / n;
  facts.labels =
      facts.distinct <= kMaxLabels && std::all_of(distinct.begin(), distinct.end(), IsWordLabel);
  col.type = ClassifyStrings(name, facts);
  col.role = DefaultRole(col.type);
  col.reason = "text values";
  return col;
}

namespace {

// A first row that names years over columns of numbers (Country, 1960, 1961, … 2013): text
// above a text column, and five or more whole years from 1800 to 2100 rising by the same step,
// over numbers or over columns that are empty or hold ".." for a missing value; no other number
// in it. Such a row fits the numbers' type, so the type test misses it.
bool FirstRowNamesYears(const std::vector<std::string>& first,
                        const std::vector<ColumnSchema>& below) {
  std::vector<double> years;
  bool text_above_text = false;
  for (size_t c = 0; c < below.size() && c < first.size(); ++c) {
    const std::string_view value = TrimSpaces(first[c]);
    const auto number = ParseNumber(value, NumberFormat{'.', '\0'});
    if (!number) {
      text_above_text |= !value.empty() && IsString(below[c].type);
      continue;
    }
    if (*number != std::floor(*number) || *number < 1800 || *number > 2100 ||
        IsTemporal(below[c].type)) {
      return false;
    }
    years.push_back(*number);
  }
  if (!text_above_text || years.size() < 5) return false;
  const double step = years[1] - years[0];
  for (size_t i = 1; i < years.size(); ++i) {
    if (step <= 0 || years[i] - years[i - 1] != step) return false;
  }
  return true;
}

}  // namespace

std::vector<std::string> UniqueNames(std::vector<std::string> names) {
  std::unordered_set<std::string> used;
  used.reserve(names.size() * 2);
  // For each repeated name, the next suffix to try: suffixes only move forward, so every
  // name is tried against the set a bounded number of times in all (linear, where trying
  // "a_2", "a_3" … from 2 each time is quadratic in the repeats).
  std::unordered_map<std::string, int> next_suffix;
  for (std::string& name : names) {
    if (used.insert(name).second) continue;
    int& k = next_suffix.try_emplace(name, 2).first->second;
    std::string candidate;
    do {
      candidate = name + "_" + std::to_string(k++);
    } while (used.count(candidate));
    used.insert(candidate);
    name = std::move(candidate);
  }
  return names;
}

Result<Schema> InferSchema(const csv::SniffResult& sniff, const InferenceOptions& options) {
  Schema schema;
  schema.dialect = sniff.dialect;
  const int columns = sniff.columns;
  const auto& records = sniff.records;

  auto column_values = [&](int c, size_t from) {
    std::vector<std::string_view> values;
    values.reserve(records.size() + sniff.extra_records.size());
    for (size_t r = from; r < records.size(); ++r) {
      const std::vector<std::string>& record = records[r];
      values.emplace_back(c < static_cast<int>(record.size()) ? record[c].data() : "",
                          c < static_cast<int>(record.size()) ? record[c].size() : 0);
    }
    for (const auto& r : sniff.extra_records) values.push_back(r[c]);
    return values;
  };

  // Phase 1: the header. Type the columns without the first record; a typed column whose first
  // value does not parse as that type says "header".
  // Guesses from the records after the first: the types if the first record is a header.
  std::vector<ColumnSchema> below_first;
  if (records.size() > 1 || !sniff.extra_records.empty()) {
    for (int c = 0; c < columns; ++c) {
      below_first.push_back(GuessColumn("", column_values(c, 1), sniff.dialect.delimiter, options));
    }
  }
  bool header;
  if (sniff.header_set_by_user) {
    header = sniff.dialect.header;
    schema.header_reason = header ? "set by the user" : "--no-header";
  } else if (records.size() == 1) {
    header = true;
    schema.header_reason = "a single record: read as column names";
    // Names are text: a number, a date, a time or an empty field makes the record a row.
    for (const std::string& v : records[0]) {
      if (v.empty() || ParseNumber(v, NumberFormat{}) ||
          !IsString(
              GuessColumn("", {std::string_view(v)}, sniff.dialect.delimiter, options).type)) {
        header = false;
      }
    }
    if (!header) schema.header_reason = "a single record of values";
  } else {
    header = false;
    int typed = 0;
    bool first_row_fits_types = true;
    bool first_row_has_empty = false;
    std::set<std::string> first_values;
    for (int c = 0; c < columns; ++c) {
      std::string_view first;
      if (c < static_cast<int>(records[0].size())) first = records[0][c];
      if (IsNullToken(first)) first_row_has_empty = true;
      first_values.insert(std::string(first));
      const ColumnSchema& guess = below_first[c];
      if (IsString(guess.type) || IsNullToken(first)) continue;
      ++typed;
      if (!ValueFitsType(first, guess)) first_row_fits_types = false;
    }
    if (typed > 0 && !first_row_fits_types) {
      header = true;
      schema.header_reason = "the first row is text above typed columns";
    } else if (FirstRowNamesYears(records[0], below_first)) {
      header = true;
      schema.header_reason = "the first row names years above columns of numbers";
    } else if (typed == 0 && !first_row_has_empty &&
               first_values.size() == static_cast<size_t>(columns)) {
      header = true;
      schema.header_reason = "all columns are text; the first row has distinct, non-empty names";
    } else {
      schema.header_reason = typed > 0 ? "the first row has the same types as the rest"
                                       : "the first row has empty or repeated values";
    }
  }
  schema.dialect.header = header;

  // Phase 2: names and types.
  std::vector<std::string> names(columns);
  for (int c = 0; c < columns; ++c) {
    if (header && c < static_cast<int>(records[0].size())) {
      names[c] = std::string(TrimSpaces(records[0][c]));
    }
    if (names[c].empty()) names[c] = "column_" + std::to_string(c + 1);
  }
  names = UniqueNames(std::move(names));
  for (int c = 0; c < columns; ++c) {
    const std::string& unique = names[c];
    ColumnSchema col;
    if (header && !below_first.empty() && !NameSuggestsIdentifier(unique)) {
      col = below_first[c];  // the same values: no need to guess again
    } else {
      col = GuessColumn(unique, column_values(c, header ? 1 : 0), sniff.dialect.delimiter, options);
    }
    col.name = unique;
    schema.columns.push_back(std::move(col));
  }
  for (const auto& override_entry : options.type_overrides) {
    const std::string& name = override_entry.first;
    const ColumnType type = override_entry.second;
    auto it = std::find_if(schema.columns.begin(), schema.columns.end(),
                           [&](const ColumnSchema& col) { return col.name == name; });
    if (it == schema.columns.end()) {
      std::string known;
      for (size_t k = 0; k < schema.columns.size(); ++k) {
        if (k == 20) {
          known += " … (" + std::to_string(schema.columns.size()) + " in all)";
          break;
        }
        known += (known.empty() ? "" : ", ") + schema.columns[k].name;
      }
      std::string message = "a type is set for '";
      message += name;
      message += "', but no column has that name; the columns are: ";
      message += known;
      return Status::InvalidArgument(message).WithReason(kInvalidOptions);
    }
    it->type = type;
    it->role = DefaultRole(type);
    it->type_set_by_user = true;
    it->reason = "set by the user";
    if (IsTemporal(type) && it->date_order == DateOrder::kYmd) {
      // Pick the order that parses the sample best.
      auto values = column_values(static_cast<int>(it - schema.columns.begin()), header ? 1 : 0);
      int64_t best = -1;
      for (DateOrder order : kDateOrders) {
        int64_t parsed = 0;
        for (auto v : values) parsed += ParseDate(v, order).has_value();
        if (parsed > best) best = parsed, it->date_order = order;
      }
    }
  }

  if (header) {
    if (records.size() >= 2) {
      schema.dialect.data_offset = sniff.record_offsets[1];
      schema.first_data_line = sniff.record_lines[1];
    } else {
      schema.dialect.data_offset = -1;  // header only
    }
  } else {
    schema.dialect.data_offset = sniff.record_offsets[0];
    schema.first_data_line = sniff.record_lines[0];
  }
  return schema;
}

}  // namespace datastory::table
