#include <cmath>

#include "render/json_parts.h"
#include "render/story_render.h"
#include "render/svg.h"

namespace datastory::render {
namespace {

using analysis::Fact;
using analysis::FactUnit;
using nlohmann::ordered_json;

ordered_json Finite(double v) { return std::isfinite(v) ? ordered_json(v) : ordered_json(nullptr); }

std::string_view UnitName(FactUnit unit) {
  switch (unit) {
    case FactUnit::kMeasure:
      return "measure";
    case FactUnit::kCount:
      return "count";
    case FactUnit::kShare:
      return "share";
    case FactUnit::kPercent:
      return "percent";
    case FactUnit::kTime:
      return "time";
    case FactUnit::kRatio:
      return "ratio";
    case FactUnit::kCoefficient:
      return "coefficient";
    case FactUnit::kPValue:
      return "pValue";
  }
  return "";
}

ordered_json FactJson(const Fact& f) {
  ordered_json j = {{"name", analysis::FactKey(f)}};
  if (!f.label.empty()) {
    j["label"] = f.label;
    return j;
  }
  j["unit"] = std::string(UnitName(f.unit));
  if (f.unit == FactUnit::kTime) {
    j["value"] = analysis::FormatBucketIso(static_cast<int64_t>(f.value), f.grain);
    j["grain"] = std::string(analysis::TimeGrainName(f.grain));
    j["text"] = analysis::FormatBucket(static_cast<int64_t>(f.value), f.grain);
    j["seconds"] = Finite(f.value);
  } else {
    j["value"] = Finite(f.value);
  }
  return j;
}

ordered_json InsightJson(const analysis::Insight& in, const std::string& text) {
  ordered_json subspace = ordered_json::object();
  for (const auto& [dimension, category] : in.subspace) subspace[dimension] = category;
  ordered_json j = {{"id", in.id},
                    {"type", std::string(analysis::InsightTypeName(in.type))},
                    {"columns", in.columns},
                    {"subspace", subspace}};
  if (in.direction != analysis::Direction::kNone) {
    j["direction"] = std::string(analysis::DirectionName(in.direction));
  }
  j["value"] = Finite(in.value);
  j["significance"] = Finite(in.significance);
  j["impact"] = Finite(in.impact);
  j["score"] = Finite(in.score);
  j["text"] = text;
  j["strength"] = Finite(in.strength);
  j["pValue"] = Finite(in.p_value);
  j["qValue"] = Finite(in.q_value);
  if (!in.aggregation.empty()) j["aggregation"] = in.aggregation;
  j["method"] = in.method;
  ordered_json facts = ordered_json::array();
  for (const Fact& f : in.facts) facts.push_back(FactJson(f));
  j["facts"] = facts;
  j["caveats"] = in.caveats;
  return j;
}

}  // namespace

std::string RenderStoryJson(const story::Story& story, int64_t processing_ms, JsonLayout layout) {
  // Its parts are moved into the story; the story lists its own correlations.
  ordered_json profile = ProfileJson(story.profile, /*with_correlations=*/false);
  const analysis::InsightReport& report = story.report;

  ordered_json insights = ordered_json::array();
  for (size_t i = 0; i < report.insights.size(); ++i) {
    insights.push_back(InsightJson(report.insights[i], story.insight_texts[i]));
  }
  ordered_json charts = ordered_json::array();
  for (const story::Chart& c : story.charts) {
    ordered_json chart = {
        {"id", c.id}, {"insightId", c.insight_id}, {"type", c.type}, {"title", c.title}};
    chart["vegaLite"] = VegaLiteSpec(c);  // moved in: a spec can hold hundreds of points
    charts.push_back(std::move(chart));
  }
  ordered_json findings = ordered_json::array();
  for (const story::Finding& f : story.findings) {
    ordered_json j = {{"insightId", f.insight_id}, {"headline", f.headline}};
    if (!f.chart_id.empty()) j["chartId"] = f.chart_id;
    if (!f.detail.empty()) j["detail"] = f.detail;
    findings.push_back(j);
  }
  ordered_json recommendations = ordered_json::array();
  for (const story::Recommendation& r : story.recommendations) {
    recommendations.push_back({{"text", r.text}, {"insightIds", r.insight_ids}});
  }
  ordered_json trends = ordered_json::array();
  for (const analysis::TrendStatistic& t : report.trends) {
    ordered_json j = {{"measure", t.measure}, {"time", t.time}};
    if (!t.category.empty()) j["subspace"] = t.category;
    j["grain"] = std::string(analysis::TimeGrainName(t.grain));
    j["aggregation"] = t.aggregation;
    j["direction"] = std::string(analysis::DirectionName(t.direction));
    j["changePct"] = t.change_pct ? Finite(*t.change_pct) : ordered_json(nullptr);
    j["slope"] = Finite(t.slope);
    j["pValue"] = Finite(t.p_value);
    j["buckets"] = t.buckets;
    j["seasonality"] =
        t.seasonal_period > 0 ? ordered_json{{"period", t.seasonal_period}} : ordered_json(nullptr);
    trends.push_back(j);
  }
  ordered_json correlations = ordered_json::array();
  for (const analysis::AssociationStatistic& a : report.associations) {
    correlations.push_back({{"columns", {a.a, a.b}},
                            {"method", a.method},
                            {"value", Finite(a.value)},
                            {"n", a.n},
                            {"pValue", Finite(a.p_value)},
                            {"sampled", a.sampled}});
  }

  ordered_json out;
  out["schemaVersion"] = 1;
  out["title"] = story.title;
  out["audienceLevel"] = std::string(story::AudienceName(story.audience));
  ordered_json dataset = std::move(profile["dataset"]);
  dataset["originalFilename"] = story.file_name();
  dataset["sampled"] = false;  // statistics cover every row; see insights' caveats for samples
  out["dataset"] = dataset;
  out["columns"] = std::move(profile["columns"]);
  // A rate kept as 0–1 is written in percent: its values are shown times this.
  for (ordered_json& column : out["columns"]) {
    const double scale =
        story::StyleOf(story.profile, column["name"].get<std::string>(), story.audience).scale;
    if (scale != 1) column["displayScale"] = scale;
  }
  out["narratives"] = {{"summary", story.narratives.summary},
                       {"keyFindings", story.narratives.key_findings},
                       {"recommendations", story.narratives.recommendations}};
  out["findings"] = std::move(findings);
  out["recommendations"] = std::move(recommendations);
  out["insights"] = std::move(insights);
  out["charts"] = std::move(charts);
  out["statistics"]["distributions"] = std::move(profile["statistics"]["distributions"]);
  out["statistics"]["correlations"] = std::move(correlations);
  out["statistics"]["trends"] = std::move(trends);
  ordered_json measures = ordered_json::array();
  for (const analysis::MeasureStatistic& m : report.measures) {
    measures.push_back({{"column", m.name},
                        {"aggregation", m.aggregation},
                        {"total", Finite(m.total)},
                        {"count", m.count},
                        {"stock", m.stock}});
  }
  out["statistics"]["measures"] = std::move(measures);
  ordered_json outcomes = ordered_json::array();
  for (const analysis::OutcomeStatistic& o : report.outcomes) {
    outcomes.push_back({{"column", o.name},
                        {"positive", o.positive},
                        {"negative", o.negative},
                        {"rate", Finite(o.rate)},
                        {"positives", o.positives},
                        {"answered", o.answered}});
  }
  out["statistics"]["outcomes"] = std::move(outcomes);
  ordered_json figures = ordered_json::array();
  for (const story::KeyFigure& f : story.key_figures) {
    figures.push_back({{"label", f.label}, {"value", Finite(f.value)}, {"text", f.text}});
  }
  out["keyFigures"] = std::move(figures);
  out["alerts"] = std::move(profile["alerts"]);
  out["diagnostics"] = std::move(profile["diagnostics"]);
  out["limitations"] = report.limitations;
  out["structure"] = report.structure;
  out["storyFacts"] = {{"rows", story.profile.rows},
                       {"columns", story.profile.columns.size()},
                       {"tests", report.tests},
                       {"rejected", report.rejected},
                       {"minTrendBuckets", analysis::InsightReport::kMinTrendBuckets}};
  if (report.time_start && report.time_end) {
    out["storyFacts"]["timeStart"] = analysis::FormatBucketIso(*report.time_start, report.grain);
    out["storyFacts"]["timeEnd"] = analysis::FormatBucketIso(*report.time_end, report.grain);
    out["storyFacts"]["grain"] = std::string(analysis::TimeGrainName(report.grain));
  }
  out["writer"] = {{"name", story.writer}, {"notes", story.writer_notes}};
  out["processingTime"] = processing_ms;
  return layout == JsonLayout::kCompact
             ? out.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
             : DumpJson(out);
}

std::string RenderStoryChartsJson(const story::Story& story) {
  ordered_json charts = ordered_json::array();
  for (const story::Chart& c : story.charts) {
    charts.push_back({{"id", c.id}, {"svg", RenderChartSvg(c)}});
  }
  return charts.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

}  // namespace datastory::render
