// `datastory scan FILE`: reads a CSV the way `profile` does (sniff, header, parallel tokenizer)
// but computes no statistics: rows, fields, ragged rows and read speed. For checking a file
// quickly, and for measuring the reader alone.
#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>

#include "cli/commands.h"
#include "cli/read_flags.h"
#include "csv/reader.h"
#include "table/inference.h"

namespace datastory::cli {
namespace {

// Counts the fields a worker sees and the bytes in them, so every cell is touched.
class CountingConsumer final : public csv::BatchConsumer {
 public:
  void Consume(const csv::RecordBatch& batch) override {
    int64_t n = 0, bytes = 0;  // locals: the workers' counters share a cache line
    for (int64_t i = 0; i < batch.rows * batch.columns; ++i) {
      const csv::Cell& cell = batch.cells[i];
      if (!cell.absent()) {
        ++n;
        bytes += cell.end() - cell.begin;
      }
    }
    fields += n;
    field_bytes += bytes;
  }
  int64_t fields = 0;
  int64_t field_bytes = 0;
};

int RunScan(const ReadFlags& flags) {
  pipeline::StoryRequest request;
  if (Status s = BuildStoryRequest(flags, &request); !s.ok()) {
    std::fprintf(stderr, "datastory: %s\n", s.message().c_str());
    return kExitUsage;
  }
  analysis::ProfileOptions options = pipeline::ProfileOptionsFor(request);
  auto started = std::chrono::steady_clock::now();
  auto source = csv::OpenFile(flags.path);
  if (!source.ok()) return ReportError(source.status());
  auto sniff = csv::SniffDialect(**source, options.sniff, options.read.limits);
  if (!sniff.ok()) return ReportError(sniff.status());
  auto schema = table::InferSchema(*sniff, options.inference);
  if (!schema.ok()) return ReportError(schema.status().WithPrefix(flags.path));
  if (schema->dialect.data_offset < 0) {
    return ReportError(Status::InvalidArgument(flags.path + ": only a header row, no data rows"));
  }
  std::vector<CountingConsumer> consumers(csv::WorkerCount(options.read));
  ProgressLine progress(flags.path, (*source)->size());
  options.read.progress = progress.Callback();
  auto read =
      csv::ReadCsv(**source, schema->dialect, static_cast<int>(schema->columns.size()),
                   schema->first_data_line, options.read, [&](int w) { return &consumers[w]; });
  progress.Finish();
  if (!read.ok()) return ReportError(read.status());
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  int64_t fields = 0, field_bytes = 0;
  for (const auto& c : consumers) fields += c.fields, field_bytes += c.field_bytes;
  std::printf(
      "%s: %lld rows, %zu columns, %lld fields (%lld bytes), %lld lines, %lld blank, "
      "%lld diagnostics; %.3f s, %.0f MB/s on %zu thread(s)\n",
      flags.path.c_str(), static_cast<long long>(read->rows), schema->columns.size(),
      static_cast<long long>(fields), static_cast<long long>(field_bytes),
      static_cast<long long>(read->lines), static_cast<long long>(read->blank_lines),
      static_cast<long long>(read->diagnostics.Total()), seconds,
      static_cast<double>((*source)->size()) / 1e6 / seconds, consumers.size());
  for (const csv::Diagnostic& d : read->diagnostics.Sorted()) {
    std::printf("  line %lld: %s: %s\n", static_cast<long long>(d.line),
                std::string(csv::DiagnosticKindName(d.kind)).c_str(), d.message.c_str());
  }
  return kExitOk;
}

}  // namespace

void AddScanCommand(CLI::App& app, std::function<int()>* run) {
  auto flags = std::make_shared<ReadFlags>();
  CLI::App* cmd =
      app.add_subcommand("scan", "Read a CSV file without statistics: rows, ragged rows, speed");
  AddReadFlags(*cmd, *flags);
  cmd->callback([flags, run] { *run = [flags] { return RunScan(*flags); }; });
}

}  // namespace datastory::cli
