#include "pipeline/pipeline.h"

#include <algorithm>
#include <chrono>
#include <exception>

#include "render/story_render.h"
#include "table/inference.h"

namespace datastory::pipeline {
namespace {

// The share of the whole that each stage starts at.
constexpr int kAnalyzingAt = 70;
constexpr int kChartingAt = 85;
constexpr int kWritingAt = 92;
constexpr int kDoneAt = 99;  // 100 is for the job that stores the story

// A failure as the pipeline reports it: the reason its source gave, or one for its kind.
Status Tagged(Status status) {
  if (!status.reason().empty()) return status;
  switch (status.code()) {
    case StatusCode::kCancelled:
      return status.WithReason(kCancelledReason);
    case StatusCode::kInvalidArgument:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kDataLoss:
    case StatusCode::kNotFound:
      return status.WithReason(kParseError);
    default:
      return status.WithReason("INTERNAL");
  }
}

// Reports progress that never goes back, each change once. (Every report comes from the
// calling thread: the reader calls back from its producer, which runs there.)
class Reporter {
 public:
  explicit Reporter(const ProgressFn& progress) : progress_(progress) {}
  void Report(Stage stage, int percent) {
    percent = std::max(percent, last_);
    if (!progress_ || (percent == last_ && stage == stage_)) return;
    last_ = percent;
    stage_ = stage;
    progress_(stage, percent);
  }

 private:
  const ProgressFn& progress_;
  int last_ = -1;
  Stage stage_ = Stage::kParsing;
};

Result<StoryResult> Make(const csv::ByteSource& source, const StoryRequest& request,
                         const ProgressFn& progress, const CancelToken* cancel) {
  const auto started = std::chrono::steady_clock::now();
  Reporter reporter(progress);
  auto stopped = [&] { return cancel && cancel->cancelled(); };
  reporter.Report(Stage::kParsing, 0);

  analysis::ProfileOptions options = ProfileOptionsFor(request);
  options.build_cube = true;
  options.read.progress = [&](int64_t done, int64_t total) {
    if (total > 0) {
      reporter.Report(Stage::kParsing,
                      static_cast<int>(kAnalyzingAt * std::min(done, total) / total));
    }
  };
  if (cancel) options.read.cancelled = [cancel] { return cancel->cancelled(); };
  auto profile = analysis::ProfileSource(source, options);
  if (!profile.ok()) return profile.status();
  if (stopped()) return Status::Cancelled("the story was cancelled");

  reporter.Report(Stage::kAnalyzing, kAnalyzingAt);
  story::StoryOptions story_options;
  story_options.audience = request.audience;
  story_options.title = request.title;
  story_options.on_step = [&](story::StoryStep step) {
    reporter.Report(step == story::StoryStep::kCharting ? Stage::kCharting : Stage::kWriting,
                    step == story::StoryStep::kCharting ? kChartingAt : kWritingAt);
  };
  StoryResult result;
  result.story = story::BuildStory(std::move(profile).value(), story_options);
  if (stopped()) return Status::Cancelled("the story was cancelled");
  reporter.Report(Stage::kWriting, kDoneAt);
  result.processing_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now() - started)
                             .count();
  return result;
}

}  // namespace

std::string_view StageName(Stage stage) {
  switch (stage) {
    case Stage::kParsing:
      return "parsing";
    case Stage::kAnalyzing:
      return "analyzing";
    case Stage::kCharting:
      return "charting";
    case Stage::kWriting:
      return "writing";
  }
  return "parsing";
}

Result<story::Audience> ParseAudience(std::string_view name) {
  if (name == "executive") return story::Audience::kExecutive;
  if (name == "technical") return story::Audience::kTechnical;
  if (name == "general") return story::Audience::kGeneral;
  return Status::InvalidArgument("audience: expected executive, technical or general, got \"" +
                                 std::string(name.substr(0, 40)) + "\"");
}

Result<char> ParseDelimiter(std::string_view text) {
  if (text == "," || text == "comma") return ',';
  if (text == ";" || text == "semicolon") return ';';
  if (text == "\t" || text == "\\t" || text == "tab") return '\t';
  if (text == "|" || text == "pipe") return '|';
  if (text == " " || text == "space") return ' ';
  if (text.size() == 1 && text[0] != '"' && text[0] != '\n' && text[0] != '\r') return text[0];
  return Status::InvalidArgument(
      "delimiter: expected one character (or comma, semicolon, tab, pipe, space), got \"" +
      std::string(text.substr(0, 40)) + "\"");
}

Result<csv::Encoding> ParseEncoding(std::string_view name) {
  if (auto e = csv::ParseEncodingName(name)) return *e;
  return Status::InvalidArgument("encoding: unknown \"" + std::string(name.substr(0, 40)) +
                                 "\"; use utf-8, utf-16le, utf-16be, windows-1252 or iso-8859-1");
}

Result<table::ColumnType> ParseColumnType(std::string_view name) {
  if (auto t = table::ParseColumnTypeName(name)) return *t;
  return Status::InvalidArgument("type: unknown kind \"" + std::string(name.substr(0, 40)) +
                                 "\"; use integer, float, boolean, date, datetime, categorical, "
                                 "text or identifier");
}

Status AddTypeOverride(std::string_view column_equals_kind, StoryRequest* request) {
  const size_t eq = column_equals_kind.rfind('=');
  if (eq == std::string_view::npos || eq == 0) {
    return Status::InvalidArgument("type: expected COLUMN=KIND, got \"" +
                                   std::string(column_equals_kind.substr(0, 80)) + "\"");
  }
  DS_ASSIGN_OR_RETURN(table::ColumnType type, ParseColumnType(column_equals_kind.substr(eq + 1)));
  request->types[std::string(column_equals_kind.substr(0, eq))] = type;
  return Status::Ok();
}

analysis::ProfileOptions ProfileOptionsFor(const StoryRequest& request) {
  analysis::ProfileOptions options;
  options.sniff.overrides = request.dialect;
  options.inference.type_overrides = request.types;
  options.read.threads = request.threads;
  options.read.block_bytes = request.block_bytes;
  options.read.limits = request.limits;
  // An encoding the user set is a promise about every byte, not only the sniffed ones.
  options.read.strict_encoding = request.dialect.encoding.has_value();
  options.time_column = request.time_column;
  return options;
}

Result<StoryResult> MakeStory(const csv::ByteSource& source, const StoryRequest& request,
                              const ProgressFn& progress, const CancelToken* cancel) {
  // The last resort for a job: no exception leaves the pipeline.
  try {
    auto result = Make(source, request, progress, cancel);
    if (!result.ok()) return Tagged(result.status());
    return result;
  } catch (const std::exception& e) {
    return Tagged(Status::Internal(std::string("the story failed: ") + e.what()));
  } catch (...) {
    return Tagged(Status::Internal("the story failed"));
  }
}

Result<Preview> MakePreview(const csv::ByteSource& source, const StoryRequest& request,
                            int max_rows, size_t sample_bytes) {
  try {
    analysis::ProfileOptions options = ProfileOptionsFor(request);
    options.sniff.sample_bytes = sample_bytes;
    options.sniff.extra_samples = 0;  // the preview reads the start of the file only
    auto sniff = csv::SniffDialect(source, options.sniff, options.read.limits);
    if (!sniff.ok()) return Tagged(sniff.status());
    auto schema = table::InferSchema(*sniff, options.inference);
    if (!schema.ok()) return Tagged(schema.status().WithPrefix(source.name()));
    if (schema->dialect.data_offset < 0) {
      return Tagged(Status::InvalidArgument(source.name() + ": only a header row (" +
                                            std::to_string(schema->columns.size()) +
                                            " columns), no data rows"));
    }
    Preview p;
    p.dialect = schema->dialect;
    p.encoding_reason = sniff->encoding_reason;
    p.header_reason = schema->header_reason;
    p.columns = schema->columns;
    p.whole_file_read = sniff->sample_is_whole_file;
    // The sample's records after the header are the rows as the reader will see them.
    const size_t first = schema->dialect.header ? 1 : 0;
    const int width = static_cast<int>(p.columns.size());
    for (size_t r = first; r < sniff->records.size(); ++r) {
      const auto& record = sniff->records[r];
      if (static_cast<int>(p.rows.size()) < max_rows) {
        std::vector<std::string> row(record.begin(), record.end());
        row.resize(static_cast<size_t>(width));
        p.rows.push_back(std::move(row));
      }
      if (static_cast<int>(record.size()) != width && p.problems.size() < 20) {
        csv::Diagnostic d;
        d.kind = static_cast<int>(record.size()) < width ? csv::DiagnosticKind::kTooFewFields
                                                         : csv::DiagnosticKind::kTooManyFields;
        d.line = sniff->record_lines[r];
        d.byte_offset = sniff->record_offsets[r];
        d.message =
            "expected " + std::to_string(width) + " fields, found " + std::to_string(record.size());
        p.problems.push_back(std::move(d));
      }
    }
    p.rows_read = static_cast<int64_t>(sniff->records.size() - first);
    p.row_estimate = p.rows_read;
    if (!p.whole_file_read && !sniff->record_offsets.empty()) {
      // Bytes per row in the sample, over the bytes of the whole file.
      const int64_t sample =
          std::max<int64_t>(1, sniff->record_offsets.back() - sniff->record_offsets[first]);
      const int64_t rows = std::max<int64_t>(1, p.rows_read - 1);
      p.row_estimate = source.size() * rows / sample;
    }
    return p;
  } catch (const std::exception& e) {
    return Tagged(Status::Internal(std::string("the preview failed: ") + e.what()));
  }
}

Result<Format> ParseFormat(std::string_view name) {
  if (name == "json") return Format::kJson;
  if (name == "html" || name == "htm") return Format::kHtml;
  if (name == "md" || name == "markdown") return Format::kMarkdown;
  return Status::InvalidArgument("format: expected html, md or json, got \"" +
                                 std::string(name.substr(0, 40)) + "\"");
}

std::string Render(const StoryResult& result, Format format) {
  switch (format) {
    case Format::kJson:
      return render::RenderStoryJson(result.story, result.processing_ms);
    case Format::kCompactJson:
      return render::RenderStoryJson(result.story, result.processing_ms,
                                     render::JsonLayout::kCompact);
    case Format::kHtml:
      return render::RenderStoryHtml(result.story);
    case Format::kMarkdown:
      return render::RenderStoryMarkdown(result.story);
    case Format::kChartsJson:
      return render::RenderStoryChartsJson(result.story);
  }
  return {};
}

}  // namespace datastory::pipeline
