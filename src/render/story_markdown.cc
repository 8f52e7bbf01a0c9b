#include <cctype>
#include <cmath>
#include <cstdio>
#include <string_view>

#include "base/text.h"
#include "render/story_render.h"
#include "story/format.h"

namespace datastory::render {
namespace {

std::string Cell(const std::optional<double>& v, const story::NumberStyle& style) {
  return v && std::isfinite(*v) ? story::FormatMeasure(*v, style) : "";
}

// Text from the data (a title, a file or column name, a category inside a sentence) as
// Markdown that shows that text and nothing else: no HTML tag, entity, link or image can come
// out of it, and no control character reaches a terminal. Only what could start markup is
// escaped, so "p < 0.05" stays readable as plain text. Newlines stay in narratives
// (`multiline`) and become spaces elsewhere.
std::string Escape(std::string_view text, bool multiline = false) {
  auto letter = [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; };
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const char next = i + 1 < text.size() ? text[i + 1] : '\0';
    if (c == '<' && (letter(next) || next == '/' || next == '!' || next == '?')) {
      out += "&lt;";  // an HTML tag, comment or autolink
    } else if (c == '&' && (std::isalnum(static_cast<unsigned char>(next)) || next == '#')) {
      out += "&amp;";  // an entity
    } else if (c == '[' || c == ']' || c == '\\' || c == '`') {
      out += '\\';  // links, images, escapes, code
      out += c;
    } else if (c == '\n' || c == '\r') {
      out += multiline && c == '\n' ? '\n' : ' ';
    } else {
      out += EscapeControl(std::string_view(&text[i], 1));
    }
  }
  return out;
}

// A table cell: escaped, and '|' would end it.
std::string Plain(std::string_view s) {
  std::string out = Escape(s);
  for (char& c : out) {
    if (c == '|') c = '/';
  }
  return out;
}

}  // namespace

std::string RenderStoryMarkdown(const story::Story& story) {
  std::string md = "# " + Escape(story.title) + "\n\n";
  md += "_" + story::FormatCount(static_cast<double>(story.profile.rows)) + " rows × " +
        story::FormatCount(static_cast<double>(story.profile.columns.size())) + " columns of " +
        Escape(story.file_name()) + ", written for " +
        (story.audience == story::Audience::kExecutive ? "an " : "a ") +
        std::string(story::AudienceName(story.audience)) + " reader._\n\n";
  md += "## Summary\n\n";
  if (story.audience == story::Audience::kExecutive && !story.key_figures.empty()) {
    std::string line;
    for (const story::KeyFigure& f : story.key_figures) {
      line += (line.empty() ? "" : " · ") + Escape(f.label) + ": **" + Escape(f.text) + "**";
    }
    md += line + "\n\n";
  }
  md += Escape(story.narratives.summary, true) + "\n\n";
  md += "## Key findings\n\n";
  if (story.findings.empty()) md += "No finding passed the checks.\n";
  for (const story::Finding& f : story.findings) {
    md += "- **" + Escape(f.headline) + "**";
    if (!f.chart_id.empty()) {
      for (const story::Chart& c : story.charts) {
        if (c.id == f.chart_id) md += " _(chart: " + Escape(c.title) + ")_";
      }
    }
    if (!f.detail.empty()) md += "\n  " + Escape(f.detail);
    md += "\n";
  }
  md += "\n## Recommendations\n\n" + Escape(story.narratives.recommendations, true) + "\n";

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
  // How the file was read, when it was not read as it stands: lines around the table left out,
  // a column per year read as rows.
  std::string read;
  for (const csv::Diagnostic& d : story.profile.diagnostics) {
    if (ShowsHowTheFileWasRead(d.kind)) read += "- " + Escape(d.message) + "\n";
  }
  if (!read.empty()) md += "\n### How the file was read\n\n" + read;
  if (!story.profile.alerts.empty()) {
    md += "\n### Data quality\n\n";
    for (const analysis::Alert& a : story.profile.alerts) {
      md += "- " + Escape(std::string(analysis::AlertTypeName(a.type))) + ": " + Escape(a.message) +
            "\n";
    }
  }
  return md;
}

}  // namespace datastory::render
