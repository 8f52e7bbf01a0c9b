#include "analysis/wide_years.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <set>

#include "base/text.h"
#include "csv/encoding.h"
#include "csv/tokenizer.h"
#include "table/value_parse.h"

namespace datastory::analysis {
namespace {

constexpr size_t kMinYearColumns = 5;

// The year a column's name gives: "1960", "1960 [YR1960]", "YR1960", "Y1960", "X1960"; or 0.
int YearOfName(std::string_view name) {
  name = table::TrimSpaces(name);
  for (std::string_view prefix : {"YR", "Yr", "yr", "Y", "y", "X", "x"}) {
    if (name.size() == prefix.size() + 4 && name.substr(0, prefix.size()) == prefix) {
      name.remove_prefix(prefix.size());
      break;
    }
  }
  // "1960 [YR1960]": the World Bank's export.
  if (name.size() > 4 && name[4] == ' ' && name.find('[') == 5) name = name.substr(0, 4);
  if (name.size() != 4) return 0;
  int year = 0;
  for (char c : name) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return 0;
    year = year * 10 + (c - '0');
  }
  return year >= 1800 && year <= 2100 ? year : 0;
}

// A field for the long CSV: quoted when it holds a delimiter, a quote or a line break.
void AppendField(std::string_view value, std::string* out) {
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) {
    out->append(value);
    return;
  }
  out->push_back('"');
  for (char c : value) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

}  // namespace

YearColumns FindYearColumns(const table::Schema& schema) {
  YearColumns out;
  if (!schema.dialect.header) return out;
  for (size_t c = 0; c < schema.columns.size(); ++c) {
    const int year = YearOfName(schema.columns[c].name);
    if (year == 0) continue;
    out.columns.push_back(static_cast<int>(c));
    out.years.push_back(year);
  }
  const std::set<int> distinct(out.years.begin(), out.years.end());
  if (out.columns.size() < kMinYearColumns || distinct.size() != out.years.size() ||
      out.columns.size() == schema.columns.size()) {
    return {};
  }
  return out;
}

Result<LongTable> ReadLong(const csv::ByteSource& source, const table::Schema& schema,
                           const YearColumns& years, int64_t max_bytes) {
  const csv::Dialect& dialect = schema.dialect;
  // The whole file as UTF-8 text, past its byte order mark.
  if (source.size() > max_bytes) {
    return Status::ResourceExhausted(source.name() + ": over " +
                                     ByteCount(static_cast<uint64_t>(max_bytes)) +
                                     " to read in long form");
  }
  std::string raw(static_cast<size_t>(source.size()), '\0');
  DS_ASSIGN_OR_RETURN(size_t got, source.ReadAt(0, raw.data(), raw.size()));
  raw.resize(got);
  // The footer's offset is in the file's bytes: cut there before decoding.
  if (dialect.footer_offset >= 0 && static_cast<size_t>(dialect.footer_offset) < raw.size()) {
    raw.resize(static_cast<size_t>(dialect.footer_offset));
  }
  size_t bom = 0;
  if (dialect.encoding == csv::Encoding::kUtf8Bom && raw.rfind("\xEF\xBB\xBF", 0) == 0) bom = 3;
  if ((dialect.encoding == csv::Encoding::kUtf16Le && raw.rfind("\xFF\xFE", 0) == 0) ||
      (dialect.encoding == csv::Encoding::kUtf16Be && raw.rfind("\xFE\xFF", 0) == 0)) {
    bom = 2;
  }
  DS_ASSIGN_OR_RETURN(std::unique_ptr<csv::Decoder> decoder,
                      csv::Decoder::Create(dialect.encoding));
  std::string text;
  decoder->Decode(std::string_view(raw).substr(bom), /*final=*/true, &text);
  std::string().swap(raw);
  if (dialect.data_offset < 0 || static_cast<size_t>(dialect.data_offset) > text.size()) {
    return Status::InvalidArgument(source.name() + ": no data rows");
  }
  const std::string_view body =
      std::string_view(text).substr(static_cast<size_t>(dialect.data_offset));
  const auto records = csv::SplitRecords(body, dialect, SIZE_MAX);

  const size_t ncols = schema.columns.size();
  std::vector<bool> is_year(ncols, false);
  for (int c : years.columns) is_year[static_cast<size_t>(c)] = true;
  std::vector<int> others;
  for (size_t c = 0; c < ncols; ++c) {
    if (!is_year[c]) others.push_back(static_cast<int>(c));
  }

  LongTable out;
  // Columns with one value in every row say what the table is (the indicator's name and code):
  // the value is named after one named like an indicator or series, and they are left out.
  std::vector<std::set<std::string>> seen(others.size());
  for (const auto& record : records) {
    if (record.size() == 1 && record[0].empty()) continue;  // a blank line
    for (size_t k = 0; k < others.size(); ++k) {
      if (seen[k].size() > 1) continue;
      const size_t c = static_cast<size_t>(others[k]);
      seen[k].insert(c < record.size() ? std::string(table::TrimSpaces(record[c])) : "");
    }
  }
  out.value_name = "value";
  std::vector<int> kept;
  for (size_t k = 0; k < others.size(); ++k) {
    const std::string& name = schema.columns[static_cast<size_t>(others[k])].name;
    if (seen[k].size() == 1 && !records.empty()) {
      const std::vector<std::string> words = NameWords(name);
      if (NameHasWord(words, {"indicator", "series", "variable", "measure"}) &&
          !NameHasWord(words, {"code", "id"}) && !seen[k].begin()->empty()) {
        out.value_name = *seen[k].begin();
        // "Population, total": the total is what the story says of it anyway.
        const std::string_view suffix = ", total";
        if (out.value_name.size() > suffix.size() &&
            AsciiLower(out.value_name.substr(out.value_name.size() - suffix.size())) == suffix) {
          out.value_name.resize(out.value_name.size() - suffix.size());
        }
      }
      out.dropped.push_back(name);
      continue;
    }
    kept.push_back(others[k]);
  }

  for (int c : kept) {
    AppendField(schema.columns[static_cast<size_t>(c)].name, &out.csv);
    out.csv.push_back(',');
  }
  out.csv += "year,";
  AppendField(out.value_name, &out.csv);
  out.csv.push_back('\n');

  std::vector<bool> has_number(years.columns.size(), false);
  const table::NumberFormat format;
  char number[32];
  for (const auto& record : records) {
    if (record.size() == 1 && record[0].empty()) continue;
    ++out.wide_rows;
    for (size_t y = 0; y < years.columns.size(); ++y) {
      const size_t c = static_cast<size_t>(years.columns[y]);
      if (c >= record.size() || table::IsNullToken(record[c])) continue;
      const table::ColumnSchema& column = schema.columns[c];
      auto value =
          table::ParseNumber(record[c], table::IsNumeric(column.type) ? column.number : format);
      if (!value || !std::isfinite(*value)) continue;  // "..", "n/a": missing
      has_number[y] = true;
      for (int k : kept) {
        const size_t i = static_cast<size_t>(k);
        AppendField(i < record.size() ? std::string_view(record[i]) : std::string_view(), &out.csv);
        out.csv.push_back(',');
      }
      // The number as written when it is a plain one, else its shortest exact form.
      std::snprintf(number, sizeof(number), "%d,", years.years[y]);
      out.csv += number;
      // (Only where '.' is the decimal point: in a 1.234,5 column "12.345" is twelve thousand.)
      const std::string_view written = table::TrimSpaces(record[c]);
      if ((!table::IsNumeric(column.type) || column.number.decimal == '.') &&
          table::IsSimpleNumberShape(written, '.')) {
        out.csv.append(written);
      } else {
        std::snprintf(number, sizeof(number), "%.17g", *value);
        out.csv += number;
      }
      out.csv.push_back('\n');
      ++out.rows;
      if (static_cast<int64_t>(out.csv.size()) > max_bytes) {
        return Status::ResourceExhausted(source.name() + ": the table in long form (a row per " +
                                         "year) is over " +
                                         ByteCount(static_cast<uint64_t>(max_bytes)));
      }
    }
  }
  for (size_t y = 0; y < years.columns.size(); ++y) {
    if (!has_number[y]) out.empty_years.push_back(years.years[y]);
  }
  return out;
}

}  // namespace datastory::analysis
