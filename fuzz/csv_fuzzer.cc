// libFuzzer target for the sniffer, the tokenizer, the whole profile pipeline and the story
// (cube, insight detectors, narratives, JSON/Markdown/HTML rendering).
//
// Oracles beyond "no crash": the SIMD tokenizer and the byte-at-a-time one must agree on every
// input; a profile read in tiny blocks must count the same rows as one read whole; the cube must
// account for every row; and every number of the built-in narratives must trace to a fact.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "analysis/profile.h"
#include "csv/tokenizer.h"
#include "render/story_render.h"
#include "story/number_check.h"
#include "story/story.h"

namespace {

using namespace datastory;

struct Rows {
  std::vector<std::string> cells;
  int64_t diagnostics = 0;
};

Rows Tokenize(std::string_view text, const csv::Dialect& dialect, int columns, bool scalar) {
  Rows rows;
  csv::Tokenizer tokenizer(dialect, columns, 5);
  csv::DiagnosticLog log;
  auto collect = [&](const csv::RecordBatch& b) {
    for (int64_t r = 0; r < b.rows; ++r) {
      for (int c = 0; c < b.columns; ++c) {
        rows.cells.emplace_back(b.cell(r, c).absent()
                                    ? "\x01"
                                    : std::string(b.Raw(r, c)) +
                                          (b.cell(r, c).has_quote() ? "\x02" : ""));
      }
    }
  };
  if (scalar) {
    tokenizer.RunScalar(text, 0, 1, 0, collect, &log);
  } else {
    tokenizer.Run(text, 0, 1, 0, collect, &log);
  }
  rows.diagnostics = log.Total();
  return rows;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);

  csv::Dialect dialect;
  dialect.delimiter = size > 0 && data[0] % 2 ? ';' : ',';
  int columns = 1 + static_cast<int>(size % 5);
  Rows simd = Tokenize(text, dialect, columns, false);
  Rows scalar = Tokenize(text, dialect, columns, true);
  if (simd.cells != scalar.cells || simd.diagnostics != scalar.diagnostics) std::abort();
  // Comment lines and trailing comments (the byte-at-a-time path only).
  csv::Dialect commented = dialect;
  commented.comment = '#';
  commented.trailing_comments = size % 3 == 0;
  Tokenize(text, commented, columns, false);

  auto source = csv::MemorySource(text, "fuzz.csv");
  analysis::ProfileOptions whole;
  whole.read.threads = 1;
  whole.build_cube = true;
  auto a = analysis::ProfileSource(*source, whole);
  analysis::ProfileOptions tiny = whole;
  tiny.read.block_bytes = 64;
  tiny.read.batch_rows = 3;
  auto b = analysis::ProfileSource(*source, tiny);
  if (a.ok() != b.ok()) std::abort();
  if (a.ok() && (a->rows != b->rows || a->duplicate_rows != b->duplicate_rows)) std::abort();

  // The read limits: a limited read ends in a result equal to the unlimited one, or in
  // ResourceExhausted naming its limit; past the row limit it must not succeed.
  analysis::ProfileOptions limited = tiny;
  limited.read.limits.max_columns = 4;
  limited.read.limits.max_field_bytes = 64;
  limited.read.limits.max_record_bytes = 1024;
  limited.read.limits.max_rows = 5;
  auto c = analysis::ProfileSource(*source, limited);
  if (c.ok() && (!a.ok() || c->rows != a->rows)) std::abort();
  if (!c.ok() && c.status().code() == StatusCode::kResourceExhausted &&
      c.status().reason().empty()) {
    std::abort();
  }
  if (a.ok() && a->rows > 5 && c.ok()) std::abort();
  if (!a.ok()) return 0;

  const analysis::Cube& cube = a->cube;
  if (cube.plan.time_column >= 0) {
    int64_t rows = cube.time_missing;
    for (const analysis::TimeCell& c : cube.series.front().cells) rows += c.rows;
    if (rows != a->rows) std::abort();
  }
  for (const analysis::DimensionCube& d : cube.dimensions) {
    if (d.dropped) continue;
    int64_t rows = d.missing;
    for (const analysis::CategoryCell& c : d.categories) rows += c.rows;
    if (rows != a->rows) std::abort();
  }
  story::Story story = story::BuildStory(std::move(a).value(), {});
  story::FactIndex facts(story);
  for (const std::string* text : {&story.narratives.summary, &story.narratives.key_findings,
                                  &story.narratives.recommendations}) {
    if (text->empty() || !facts.Untraced(*text).empty()) std::abort();
  }
  if (render::RenderStoryJson(story, 0).empty() || render::RenderStoryHtml(story).empty() ||
      render::RenderStoryMarkdown(story).empty()) {
    std::abort();
  }
  return 0;
}
