#include <cmath>

#include "render/story_render.h"
#include "render/svg.h"
#include "story/format.h"

namespace datastory::render {
namespace {

constexpr const char* kStyle = R"css(
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: #1f2328; background: #f6f7f9; }
main { max-width: 980px; margin: 0 auto; padding: 32px 24px 48px; background: #fff; }
header h1 { margin: 0 0 4px; font-size: 30px; line-height: 1.2; }
header p { margin: 0; color: #57606a; }
h2 { margin: 36px 0 12px; font-size: 21px; border-bottom: 2px solid #0072B2; padding-bottom: 4px; }
.summary { font-size: 18px; }
.finding { display: grid; grid-template-columns: minmax(0, 1fr); gap: 8px; margin: 0 0 28px;
           padding: 16px; border: 1px solid #d8dee4; border-radius: 8px; break-inside: avoid; }
.finding h3 { margin: 0; font-size: 17px; }
.finding .id { color: #57606a; font-weight: normal; font-size: 13px; }
.finding .detail, .caveat { color: #57606a; font-size: 14px; margin: 0; }
.caveat::before { content: "Caveat: "; font-weight: 600; color: #9a6700; }
figure { margin: 4px 0 0; }
figure svg { max-width: 100%; height: auto; }
figcaption { font-size: 13px; color: #57606a; margin-bottom: 4px; }
dl.figures { display: flex; flex-wrap: wrap; gap: 8px 28px; margin: 0 0 12px; }
dl.figures dt { font-size: 13px; color: #57606a; }
dl.figures dd { margin: 0; font-size: 20px; font-weight: 600; }
ol.recommendations li { margin-bottom: 8px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin: 8px 0 20px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e5e7eb; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.limits { color: #57606a; }
footer { margin-top: 40px; font-size: 12px; color: #6e7781; }
@media (min-width: 900px) {
  .finding.with-chart { grid-template-columns: minmax(0, 1fr) 640px; align-items: start; }
  .finding.with-chart figure { grid-row: 1 / span 4; grid-column: 2; }
}
@media print {
  body { background: #fff; }
  main { max-width: none; padding: 0; }
  .finding { border-color: #bbb; }
  h2 { break-after: avoid; }
  table { break-inside: auto; }
  tr { break-inside: avoid; }
}
)css";

std::string E(const std::string& s) { return EscapeXml(s); }

std::string Num(const std::optional<double>& v, const story::NumberStyle& style) {
  return v && std::isfinite(*v) ? E(story::FormatMeasure(*v, style)) : "";
}

// "- a [i1]\n- b [i2]\n" → list items.
std::string ListItems(const std::string& bullets) {
  std::string out;
  size_t start = 0;
  while (start < bullets.size()) {
    size_t end = bullets.find('\n', start);
    if (end == std::string::npos) end = bullets.size();
    std::string line = bullets.substr(start, end - start);
    if (line.rfind("- ", 0) == 0) line = line.substr(2);
    if (!line.empty()) out += "<li>" + E(line) + "</li>\n";
    start = end + 1;
  }
  return out;
}

}  // namespace

std::string RenderStoryHtml(const story::Story& story) {
  const analysis::Profile& p = story.profile;
  std::string h = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  h += "<meta name=\"generator\" content=\"DataStory\">\n";
  h += "<title>" + E(story.title) + "</title>\n<style>" + kStyle +
       "</style>\n</head>\n<body>\n<main>\n";
  h += "<header><h1>" + E(story.title) + "</h1><p>" +
       E(story::FormatCount(static_cast<double>(p.rows))) + " rows × " +
       E(story::FormatCount(static_cast<double>(p.columns.size()))) + " columns · " +
       E(story.file_name()) + " · for " +
       (story.audience == story::Audience::kExecutive ? "an " : "a ") +
       E(std::string(story::AudienceName(story.audience))) + " reader</p></header>\n";

  h += "<section id=\"summary\"><h2>Summary</h2>";
  if (story.audience == story::Audience::kExecutive && !story.key_figures.empty()) {
    h += "<dl class=\"figures\">";
    for (const story::KeyFigure& f : story.key_figures) {
      h += "<div><dt>" + E(f.label) + "</dt><dd>" + E(f.text) + "</dd></div>";
    }
    h += "</dl>";
  }
  h += "<p class=\"summary\">" + E(story.narratives.summary) + "</p></section>\n";

  h += "<section id=\"findings\"><h2>Key findings</h2>\n";
  if (story.findings.empty()) h += "<p>No finding passed the checks.</p>\n";
  for (const story::Finding& f : story.findings) {
    const story::Chart* chart = nullptr;
    for (const story::Chart& c : story.charts) {
      if (c.id == f.chart_id) chart = &c;
    }
    const analysis::Insight* insight = nullptr;
    for (const analysis::Insight& in : story.report.insights) {
      if (in.id == f.insight_id) insight = &in;
    }
    // The insight's id ties the finding to its statistics: shown to technical readers.
    const std::string id = story.audience == story::Audience::kTechnical
                               ? " <span class=\"id\">[" + E(f.insight_id) + "]</span>"
                               : "";
    h += std::string("<article class=\"finding") + (chart ? " with-chart" : "") + "\" id=\"" +
         E(f.insight_id) + "\">\n<h3>" + E(f.headline) + id + "</h3>\n";
    if (!f.detail.empty()) h += "<p class=\"detail\">" + E(f.detail) + "</p>\n";
    if (insight && story.audience != story::Audience::kTechnical) {
      for (const std::string& c : insight->caveats) h += "<p class=\"caveat\">" + E(c) + "</p>\n";
    }
    if (chart) {
      h += "<figure><figcaption>" + E(chart->title) + "</figcaption>\n" + RenderChartSvg(*chart) +
           "</figure>\n";
    }
    h += "</article>\n";
  }
  h += "</section>\n";

  h +=
      "<section id=\"recommendations\"><h2>Recommendations</h2>\n<ol class=\"recommendations\">\n" +
      ListItems(story.narratives.recommendations) + "</ol>\n</section>\n";

  h += "<section id=\"statistics\"><h2>Statistics</h2>\n<table>\n<thead><tr><th>column</th>"
       "<th>type</th><th>role</th><th class=\"n\">count</th><th class=\"n\">missing</th>"
       "<th class=\"n\">distinct</th><th class=\"n\">mean</th><th class=\"n\">median</th>"
       "<th class=\"n\">min</th><th class=\"n\">max</th></tr></thead>\n<tbody>\n";
  for (const analysis::ColumnProfile& c : p.columns) {
    story::NumberStyle style{c.schema.unit, c.schema.currency_symbol, story::Audience::kTechnical};
    bool numeric = table::IsNumeric(c.schema.type);
    h += "<tr><td>" + E(c.schema.name) + "</td><td>" +
         E(std::string(table::ColumnTypeName(c.schema.type))) + "</td><td>" +
         E(std::string(table::RoleName(c.schema.role))) + "</td><td class=\"n\">" +
         story::FormatCount(static_cast<double>(c.count)) + "</td><td class=\"n\">" +
         story::FormatCount(static_cast<double>(c.missing)) + "</td><td class=\"n\">" +
         story::FormatCount(static_cast<double>(c.distinct)) + (c.distinct_exact ? "" : "≈") +
         "</td><td class=\"n\">" + (numeric ? Num(c.mean, style) : "") + "</td><td class=\"n\">" +
         (numeric ? Num(c.median, style) : "") + "</td><td class=\"n\">" +
         (numeric ? Num(c.min, style) : "") + "</td><td class=\"n\">" +
         (numeric ? Num(c.max, style) : "") + "</td></tr>\n";
  }
  h += "</tbody>\n</table>\n";
  if (!story.report.associations.empty()) {
    h += "<table>\n<thead><tr><th>columns</th><th>method</th><th class=\"n\">value</th>"
         "<th class=\"n\">n</th><th class=\"n\">p</th></tr></thead>\n<tbody>\n";
    for (const analysis::AssociationStatistic& a : story.report.associations) {
      h += "<tr><td>" + E(a.a) + " · " + E(a.b) + "</td><td>" + E(a.method) +
           (a.sampled ? " (sample)" : "") + "</td><td class=\"n\">" +
           story::FormatCoefficient(a.value, story::Audience::kTechnical) +
           "</td><td class=\"n\">" + story::FormatCount(static_cast<double>(a.n)) +
           "</td><td class=\"n\">" + E(story::FormatPValue(a.p_value)) + "</td></tr>\n";
    }
    h += "</tbody>\n</table>\n";
  }
  std::string read;
  for (const csv::Diagnostic& d : p.diagnostics) {
    if (ShowsHowTheFileWasRead(d.kind)) read += "<li>" + E(d.message) + "</li>\n";
  }
  if (!read.empty()) h += "<h3>How the file was read</h3>\n<ul>\n" + read + "</ul>\n";
  if (!p.alerts.empty()) {
    h += "<h3>Data quality</h3>\n<ul>\n";
    for (const analysis::Alert& a : p.alerts) {
      h += "<li><strong>" + E(std::string(analysis::AlertTypeName(a.type))) + "</strong> " +
           E(a.message) + "</li>\n";
    }
    h += "</ul>\n";
  }
  if (!story.report.limitations.empty()) {
    h += "<h3>What could not be looked for</h3>\n<ul class=\"limits\">\n";
    for (const std::string& l : story.report.limitations) h += "<li>" + E(l) + "</li>\n";
    h += "</ul>\n";
  }
  h += "</section>\n<footer>Made by DataStory. Every number in the text comes from the "
       "statistics of the data; findings passed a false-discovery check across " +
       story::FormatCount(story.report.tests) + " tests. Text: " + E(story.writer) +
       ".</footer>\n</main>\n</body>\n</html>\n";
  return h;
}

}  // namespace datastory::render
