#include <cmath>
#include <nlohmann/json.hpp>

#include "render/json_parts.h"
#include "render/profile_render.h"
#include "table/value_parse.h"

namespace datastory::render {
namespace {

using nlohmann::ordered_json;
using table::ColumnType;

ordered_json Number(const std::optional<double>& v) {
  if (!v || !std::isfinite(*v)) return nullptr;
  return *v;
}

// Dates travel as ISO text; numbers as numbers.
ordered_json Value(const std::optional<double>& v, const analysis::ColumnProfile& c) {
  if (!v || !std::isfinite(*v)) return nullptr;
  if (table::IsTemporal(c.schema.type)) {
    return table::FormatTimestamp(static_cast<int64_t>(std::llround(*v)),
                                  c.schema.type == ColumnType::kDatetime);
  }
  if (c.schema.type == ColumnType::kTime) {
    return table::FormatTimeOfDay(static_cast<int64_t>(std::llround(*v)));
  }
  return *v;
}

}  // namespace

ordered_json ProfileJson(const analysis::Profile& p, bool with_correlations) {
  ordered_json dataset;
  dataset["originalFilename"] = p.source_name;
  dataset["rowCount"] = p.rows;
  dataset["columnCount"] = p.columns.size();
  dataset["fileSize"] = p.file_bytes;
  std::string delimiter(1, p.dialect.delimiter);
  dataset["dialect"] = {
      {"delimiter", delimiter},
      {"quote", p.dialect.quote ? std::string(1, p.dialect.quote) : std::string()},
      {"escape", p.dialect.escape ? std::string(1, p.dialect.escape) : std::string()},
      {"encoding", std::string(csv::EncodingName(p.dialect.encoding))},
      {"lineEnding", std::string(csv::LineEndingName(p.dialect.line_ending))},
      {"literalInnerQuotes", p.dialect.literal_inner_quotes},
      {"comment", p.dialect.comment ? std::string(1, p.dialect.comment) : std::string()},
      {"trailingComments", p.dialect.trailing_comments},
      {"unspacedComments", p.dialect.unspaced_comments},
      {"trailingDelimiter", p.dialect.trailing_delimiter},
      {"shortRows", p.dialect.short_rows},
      {"header", p.dialect.header},
      {"skippedLines", p.dialect.skipped_lines},
      {"footerLines", p.dialect.footer_lines},
      {"reasons", {{"encoding", p.encoding_reason}, {"header", p.header_reason}}},
  };
  ordered_json candidates = ordered_json::array();
  for (const auto& c : p.dialect_candidates) {
    candidates.push_back({{"delimiter", std::string(1, c.delimiter)},
                          {"quote", c.quote ? std::string(1, c.quote) : std::string()},
                          {"escape", c.escape ? std::string(1, c.escape) : std::string()},
                          {"literalInnerQuotes", c.literal_inner_quotes},
                          {"columns", c.columns},
                          {"consistency", c.consistency},
                          {"score", c.score}});
  }
  dataset["dialect"]["candidates"] = std::move(candidates);
  dataset["duplicateRows"] = p.duplicate_rows;
  dataset["duplicatesExact"] = p.duplicates_exact;
  dataset["blankLines"] = p.blank_lines;
  dataset["sampled"] = false;

  ordered_json columns = ordered_json::array();
  ordered_json distributions = ordered_json::array();
  for (const auto& c : p.columns) {
    ordered_json col = {{"name", c.schema.name},
                        {"type", std::string(table::ColumnTypeName(c.schema.type))},
                        {"role", std::string(table::RoleName(c.schema.role))}};
    if (c.schema.unit != table::Unit::kNone) {
      col["unit"] = std::string(table::UnitName(c.schema.unit));
    }
    if (!c.schema.currency_symbol.empty()) col["currencySymbol"] = c.schema.currency_symbol;
    col["reason"] = c.schema.reason;
    if (!c.schema.candidates.empty()) {
      ordered_json tried = ordered_json::array();
      for (const auto& t : c.schema.candidates) {
        tried.push_back({{"kind", t.kind},
                         {"parsed", t.parsed},
                         {"failed", t.failed},
                         {"rejected", t.rejected}});
      }
      col["sampleValues"] = c.schema.sample_values;
      col["candidates"] = std::move(tried);
    }
    columns.push_back(std::move(col));

    ordered_json d;
    d["column"] = c.schema.name;
    d["type"] = std::string(table::ColumnTypeName(c.schema.type));
    d["count"] = c.count;
    d["missing"] = c.missing;
    d["invalid"] = c.invalid;
    d["distinct"] = c.distinct;
    d["distinctExact"] = c.distinct_exact;
    if (table::IsNumeric(c.schema.type) || table::IsTemporal(c.schema.type) ||
        c.schema.type == ColumnType::kTime) {
      d["min"] = Value(c.min, c);
      d["max"] = Value(c.max, c);
      if (table::IsNumeric(c.schema.type)) {
        d["mean"] = Number(c.mean);
        d["std"] = Number(c.std);
        d["skewness"] = Number(c.skewness);
        d["kurtosis"] = Number(c.kurtosis);
        d["sum"] = Number(c.sum);
        d["zeros"] = c.zeros;
        d["negatives"] = c.negatives;
        d["infinite"] = c.infinite;
      }
      d["p5"] = Value(c.p5, c);
      d["p25"] = Value(c.p25, c);
      d["median"] = Value(c.median, c);
      d["p75"] = Value(c.p75, c);
      d["p95"] = Value(c.p95, c);
      d["quantilesExact"] = c.quantiles_exact;
      ordered_json edges = ordered_json::array();
      for (double e : c.histogram.edges) edges.push_back(Value(e, c));
      d["histogram"]["edges"] = std::move(edges);
      d["histogram"]["counts"] = c.histogram.counts;
    }
    if (c.min_length) {
      d["minLength"] = Number(c.min_length);
      d["maxLength"] = Number(c.max_length);
      d["meanLength"] = Number(c.mean_length);
    }
    if (c.imbalance) d["imbalance"] = Number(c.imbalance);
    ordered_json top = ordered_json::array();
    for (const auto& t : c.top_values) top.push_back({{"value", t.value}, {"count", t.count}});
    d["topValues"] = std::move(top);
    if (!c.invalid_examples.empty()) {
      ordered_json ex = ordered_json::array();
      for (const auto& e : c.invalid_examples) ex.push_back({{"value", e.value}, {"line", e.line}});
      d["invalidExamples"] = ex;
    }
    distributions.push_back(std::move(d));
  }
  ordered_json correlations = ordered_json::array();
  for (const auto& r : p.correlations) {
    if (!with_correlations) break;
    correlations.push_back(
        {{"columns", {r.a, r.b}}, {"method", r.method}, {"value", r.value}, {"n", r.n}});
  }
  ordered_json alerts = ordered_json::array();
  for (const auto& a : p.alerts) {
    ordered_json j = {{"type", std::string(analysis::AlertTypeName(a.type))}};
    if (!a.column.empty()) j["column"] = a.column;
    j["value"] = a.value;
    j["message"] = a.message;
    alerts.push_back(j);
  }
  ordered_json diagnostics = ordered_json::array();
  for (const auto& d : p.diagnostics) {
    ordered_json j = {{"kind", std::string(csv::DiagnosticKindName(d.kind))}};
    if (d.line > 0) j["line"] = d.line;
    if (d.byte_offset > 0) j["byteOffset"] = d.byte_offset;
    j["message"] = d.message;
    diagnostics.push_back(j);
  }

  ordered_json out;
  out["schemaVersion"] = 1;
  out["dataset"] = std::move(dataset);
  out["columns"] = std::move(columns);
  out["statistics"]["distributions"] = std::move(distributions);
  out["statistics"]["correlations"] = std::move(correlations);
  out["alerts"] = std::move(alerts);
  out["diagnostics"] = std::move(diagnostics);
  out["diagnosticCount"] = p.diagnostic_count;
  out["processingTime"] = std::llround(p.seconds * 1000);
  return out;
}

std::string DumpJson(const ordered_json& json) {
  return json.dump(2, ' ', false, ordered_json::error_handler_t::replace) + "\n";
}

std::string RenderProfileJson(const analysis::Profile& p) { return DumpJson(ProfileJson(p)); }

}  // namespace datastory::render
