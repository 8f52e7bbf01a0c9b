// Story: a profile's insights turned into what a reader gets — a title, the findings chosen for
// the audience, a chart for each, and three narratives (summary, key findings,
// recommendations). Pure: values in, values out; rendering is render/'s job.
//
// BuildStory picks a diverse top-K of the ranked insights (a penalty for repeating an insight
// type or a measure), maps each to its chart, and writes the narratives with the built-in
// writer. Every number in the text is a Fact of a chosen insight or a count of the dataset,
// formatted by story/format.h.
#ifndef DATASTORY_STORY_STORY_H_
#define DATASTORY_STORY_STORY_H_

#include <functional>
#include <string>
#include <vector>

#include "analysis/insight.h"
#include "analysis/profile.h"
#include "datastory/result.h"
#include "story/format.h"

namespace datastory::story {

// The steps of BuildStory, for a caller that reports progress.
enum class StoryStep { kCharting, kWriting };

struct StoryOptions {
  Audience audience = Audience::kExecutive;
  std::string title;  // empty = from the file name
  // Key findings, each with a chart; 0 = by audience: 3 for an executive, 5 for a general
  // reader, 8 for a technical one.
  int max_findings = 0;
  analysis::InsightOptions insights;
  // Called as each step begins (the insights come before the first); unset = no calls.
  std::function<void(StoryStep)> on_step;
};

// A chart: the kind of mark, and the insight's evidence it draws. Rendered as a Vega-Lite spec
// and as SVG.
struct Chart {
  std::string id;          // "c1" …
  std::string insight_id;  // the insight it shows
  std::string type;        // "line", "bar", "stacked_bar", "histogram", "scatter"
  std::string title;
  NumberStyle y_style;  // how the measure axis is written
  analysis::Evidence evidence;
};

struct Finding {
  std::string insight_id;
  std::string chart_id;  // empty when the insight has no chart
  std::string headline;  // one sentence for the audience
  std::string detail;    // the method, effect size and caveats (technical readers), or empty
};

struct Recommendation {
  std::string text;
  std::vector<std::string> insight_ids;  // the findings it rests on
};

// A figure a reader takes in at a glance ("Total revenue: $249K"): the totals of the measures
// that add up, the main one first, then the rows. Executive pages show them as one line before
// the prose.
struct KeyFigure {
  std::string label;  // "Total revenue", "Rows"
  double value = 0;
  std::string text;  // the value as the audience reads it: "$249K"
};

struct Narratives {
  std::string summary;
  std::string key_findings;     // one line per finding, "- " bullets
  std::string recommendations;  // one line per recommendation, "- " bullets
};

struct Story {
  std::string title;
  Audience audience = Audience::kExecutive;
  analysis::Profile profile;
  analysis::InsightReport report;          // every kept insight, ranked
  std::vector<std::string> insight_texts;  // a sentence for each of report.insights
  std::vector<int> chosen;                 // indices into report.insights, in story order
  std::vector<Finding> findings;           // one per chosen insight
  std::vector<Chart> charts;
  std::vector<Recommendation> recommendations;
  std::vector<KeyFigure> key_figures;
  Narratives narratives;
  std::string writer = "built-in";        // or the LLM model that rephrased the text
  std::vector<std::string> writer_notes;  // sections that fell back to the built-in text, and why

  // The data file's name without its folders ("sales.csv"): what readers are shown.
  std::string file_name() const;
};

// Builds the story of a profile made with ProfileOptions::build_cube.
Story BuildStory(analysis::Profile profile, const StoryOptions& options);

// The style for values of the column called `name` (plain numbers when there is none).
NumberStyle StyleOf(const analysis::Profile& profile, const std::string& name, Audience audience);

}  // namespace datastory::story

#endif  // DATASTORY_STORY_STORY_H_
