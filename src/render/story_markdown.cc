#include <cmath>
#include <cstdio>

#include "render/story_render.h"
#include "story/format.h"

namespace datastory::render {
namespace {

std::string Cell(const std::optional<double>& v, const story::NumberStyle& style) {
  return v && std::isfinite(*v) ? story::FormatMeasure(*v, style) : "";
}

// Markdown table cells cannot hold '|' or newlines.
std::string Plain(std::string s) {
  for (char& c : s) {
    if (c == '|' || c == '\n' || c == '\r') c = ' ';
  }
  return s;
}

}  // namespace

std::string RenderStoryMarkdown(const story::Story& story) {
  std::string md = "# " + Plain(story.title) + "\n\n";
  md += "_" + story::FormatCount(static_cast<double>(story.profile.rows)) + " rows × " +
        story::FormatCount(static_cast<double>(story.profile.columns.size())) + " columns of " +
        Plain(story.file_name()) + ", written for " +
        (story.audience == story::Audience::kExecutive ? "an " : "a ") +
        std::string(story::AudienceName(story.audience)) + " reader._\n\n";
  md += "## Summary\n\n" + story.narratives.summary + "\n\n";
  md += "## Key findings\n\n";
  if (story.findings.empty()) md += "No finding passed the checks.\n";
  for (const story::Finding& f : story.findings) {
    md += "- **" + f.headline + "**";
    if (!f.chart_id.empty()) {
      for (const story::Chart& c : story.charts) {
        if (c.id == f.chart_id) md += " _(chart: " + c.title + ")_";
      }
    }
    if (!f.detail.empty()) md += "\n  " + f.detail;
    md += "\n";
  }
  md += "\n## Recommendations\n\n" + story.narratives.recommendations + "\n";

  md += "## Statistics\n\n| column | type | count | missing | mean | median | min | max |\n";
  md += "|---|---|---:|---:|---:|---:|---:|---:|\n";
  for (const analysis::ColumnProfile& c : story.profile.columns) {
    story::NumberStyle style{c.schema.unit, c.schema.currency_symbol, story::Audience::kTechnical};
    bool numeric = table::IsNumeric(c.schema.type);
    md += "| " + Plain(c.schema.name) + " | " + std::string(table::ColumnTypeName(c.schema.type)) +
          " | " + story::FormatCount(static_cast<double>(c.count)) + " | " +
          story::FormatCount(static_cast<double>(c.missing)) + " | " +
          (numeric ? Cell(c.mean, style) : "") + " | " + (numeric ? Cell(c.median, style) : "") +
          " | " + (numeric ? Cell(c.min, style) : "") + " | " +
          (numeric ? Cell(c.max, style) : "") + " |\n";
  }
  if (!story.profile.alerts.empty()) {
    md += "\n### Data quality\n\n";
    for (const analysis::Alert& a : story.profile.alerts) {
      md += "- " + a.type + ": " + a.message + "\n";
    }
  }
  return md;
}

}  // namespace datastory::render
