#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "base/text.h"
#include "render/profile_render.h"
#include "table/value_parse.h"

namespace datastory::render {
namespace {

std::string Num(double v) {
  char buf[40];
  bool tiny_or_huge = std::fabs(v) >= 1e15 || (std::fabs(v) < 1e-4 && v != 0);
  if (!tiny_or_huge && v == std::floor(v)) {
    std::snprintf(buf, sizeof(buf), "%.0f", v);
  } else {
    std::snprintf(buf, sizeof(buf), "%.4g", v);
  }
  return buf;
}

std::string Cell(const std::optional<double>& v, const analysis::ColumnProfile& c) {
  if (!v || !std::isfinite(*v)) return "";
  if (table::IsTemporal(c.schema.type)) {
    return table::FormatTimestamp(static_cast<int64_t>(std::llround(*v)),
                                  c.schema.type == table::ColumnType::kDatetime);
  }
  if (c.schema.type == table::ColumnType::kTime) {
    return table::FormatTimeOfDay(static_cast<int64_t>(std::llround(*v)));
  }
  return Num(*v);
}

// Columns on a terminal: one per UTF-8 code point (continuation bytes take no column).
size_t DisplayWidth(std::string_view s) {
  size_t width = 0;
  for (char c : s) width += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return width;
}

// At most `width` code points, the last one "~" when cut; never splits a UTF-8 sequence.
std::string Clip(std::string s, size_t width) {
  size_t points = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
    if (++points == width && DisplayWidth(std::string_view(s).substr(i)) > 1) {  // NOLINT
      return s.substr(0, i) + "~";
    }
  }
  return s;
}

void Table(std::ostringstream& out, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& r : rows) {
    widths.resize(std::max(widths.size(), r.size()), 0);
    for (size_t i = 0; i < r.size(); ++i) widths[i] = std::max(widths[i], DisplayWidth(r[i]));
  }
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      std::string cell = r[i];
      cell.append(widths[i] - DisplayWidth(cell), ' ');
      line += (i ? "  " : "") + cell;
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << "  " << line << "\n";
  }
}

}  // namespace

std::string RenderProfileText(const analysis::Profile& p) {
  std::ostringstream out;
  char head[512];
  std::snprintf(head, sizeof(head),
                "%s: %lld rows x %zu columns, %.1f MB, %s, %s-delimited%s, read in %.2f s on %d "
                "thread(s)\n",
                EscapeControl(p.source_name).c_str(), static_cast<long long>(p.rows),
                p.columns.size(), p.file_bytes / 1e6,
                std::string(csv::EncodingName(p.dialect.encoding)).c_str(),
                csv::DelimiterName(p.dialect.delimiter).c_str(),
                p.dialect.header ? ", with header" : ", no header", p.seconds, p.threads);
  out << head;
  out << "  duplicate rows: " << p.duplicate_rows << (p.duplicates_exact ? "" : " (estimated)");
  if (p.blank_lines) out << ", blank lines skipped: " << p.blank_lines;
  out << "\n\n";

  std::vector<std::vector<std::string>> rows = {{"column", "type", "role", "count", "missing",
                                                 "distinct", "min", "mean", "median", "max", "std",
                                                 "top value"}};
  for (const auto& c : p.columns) {
    double total = static_cast<double>(c.count + c.missing + c.invalid);
    char missing[32];
    std::snprintf(missing, sizeof(missing), "%.1f%%", total > 0 ? 100.0 * c.missing / total : 0.0);
    std::string top;
    if (!c.top_values.empty()) {
      top = Clip(EscapeControl(c.top_values[0].value), 20) + " (" +
            std::to_string(c.top_values[0].count) + ")";
    }
    std::string type(table::ColumnTypeName(c.schema.type));
    if (c.schema.unit == table::Unit::kCurrency) {
      type += " " + (c.schema.currency_symbol.empty() ? "$" : c.schema.currency_symbol);
    }
    if (c.schema.unit == table::Unit::kPercent) type += " %";
    rows.push_back({Clip(EscapeControl(c.schema.name), 24), type,
                    std::string(table::RoleName(c.schema.role)), std::to_string(c.count), missing,
                    (c.distinct_exact ? "" : "~") + std::to_string(c.distinct), Cell(c.min, c),
                    Cell(c.mean, c), Cell(c.median, c), Cell(c.max, c), Cell(c.std, c), top});
  }
  Table(out, rows);

  if (!p.correlations.empty()) {
    std::vector<analysis::Correlation> sorted = p.correlations;
    std::sort(sorted.begin(), sorted.end(),
              [](const auto& a, const auto& b) { return std::fabs(a.value) > std::fabs(b.value); });
    out << "\nstrongest correlations (Pearson):\n";
    std::vector<std::vector<std::string>> corr;
    for (size_t i = 0; i < sorted.size() && i < 10; ++i) {
      char r[16];
      std::snprintf(r, sizeof(r), "%+.3f", sorted[i].value);
      corr.push_back({EscapeControl(sorted[i].a + " ~ " + sorted[i].b), r,
                      "n=" + std::to_string(sorted[i].n)});
    }
    Table(out, corr);
  }
  if (!p.alerts.empty()) {
    out << "\nalerts:\n";
    std::vector<std::vector<std::string>> alerts;
    for (const auto& a : p.alerts)
      alerts.push_back({std::string(analysis::AlertTypeName(a.type)), EscapeControl(a.message)});
    Table(out, alerts);
  }
  if (p.diagnostic_count > 0) {
    out << "\ndiagnostics (" << p.diagnostic_count << "):\n";
    for (const auto& d : p.diagnostics) {
      out << "  " << (d.line > 0 ? "line " + std::to_string(d.line) + ": " : "")
          << csv::DiagnosticKindName(d.kind) << ": " << EscapeControl(d.message) << "\n";
    }
  }
  return out.str();
}

}  // namespace datastory::render
