#include "cli/read_flags.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdio>

#include "base/text.h"

namespace datastory::cli {
namespace {

// A pipeline parser's refusal, named by the flag the user typed ("delimiter: …" → "--delimiter:
// …").
Status AsFlag(const Status& s) { return s.ok() ? s : Status::InvalidArgument("--" + s.message()); }

// "--limit NAME=VALUE": one limit of csv::Limits raised or lowered.
Status ApplyLimit(const std::string& text, csv::Limits* limits) {
  const size_t eq = text.find('=');
  const std::string name = text.substr(0, eq);
  int64_t value = -1;
  if (eq != std::string::npos) {
    const std::string digits = text.substr(eq + 1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc() || end != digits.data() + digits.size()) value = -1;
  }
  if (value < 0) {
    return Status::InvalidArgument("--limit: expected NAME=NUMBER (columns=50000), got '" + text +
                                   "'");
  }
  if (name == "file-bytes") {
    limits->max_file_bytes = value;
  } else if (name == "rows") {
    limits->max_rows = value;
  } else if (name == "columns" && value >= 1 && value <= 10'000'000) {
    limits->max_columns = static_cast<int>(value);
  } else if (name == "field-bytes" && value >= 1) {
    limits->max_field_bytes = static_cast<size_t>(value);
  } else if (name == "record-bytes" && value >= 1024 && value <= (int64_t{1} << 31)) {
    limits->max_record_bytes = static_cast<size_t>(value);
  } else {
    return Status::InvalidArgument(
        "--limit " + text +
        ": use file-bytes, rows (0 = none), columns (1 to 10,000,000), field-bytes (1 or more) or "
        "record-bytes (1 KiB to 2 GiB)");
  }
  return Status::Ok();
}

}  // namespace

Status BuildStoryRequest(const ReadFlags& f, pipeline::StoryRequest* request) {
  if (!f.delimiter.empty()) {
    auto d = pipeline::ParseDelimiter(f.delimiter);
    if (!d.ok()) return AsFlag(d.status());
    request->dialect.delimiter = *d;
  }
  if (!f.quote.empty()) {
    if (f.quote == "none") {
      request->dialect.quote = '\0';
    } else if (f.quote.size() == 1) {
      request->dialect.quote = f.quote[0];
    } else {
      return Status::InvalidArgument("--quote: expected one character or 'none', got '" + f.quote +
                                     "'");
    }
  }
  if (!f.encoding.empty()) {
    auto e = pipeline::ParseEncoding(f.encoding);
    if (!e.ok()) return AsFlag(e.status());
    request->dialect.encoding = *e;
  }
  if (f.no_header) request->dialect.header = false;
  for (const std::string& t : f.types) {
    DS_RETURN_IF_ERROR(AsFlag(pipeline::AddTypeOverride(t, request)));
  }
  if (f.threads < 0) return Status::InvalidArgument("--threads must be 0 (all cores) or more");
  request->threads = f.threads;
  if (f.block_mib < 1 || f.block_mib > 1024) {
    return Status::InvalidArgument("--block-size must be 1 to 1024 (MiB)");
  }
  request->block_bytes = static_cast<size_t>(f.block_mib) << 20;
  for (const std::string& limit : f.limits) {
    DS_RETURN_IF_ERROR(ApplyLimit(limit, &request->limits));
  }
  return Status::Ok();
}

ProgressLine::ProgressLine(const std::string& what, int64_t file_bytes)
    : what_(what), file_bytes_(file_bytes), enabled_(isatty(2) == 1 && file_bytes >= (64 << 20)) {}

void ProgressLine::Finish() {
  if (enabled_ && last_percent_ >= 0) std::fputs("\r\033[K", stderr);
  last_percent_ = -1;
}

void ProgressLine::Show(int percent) {
  if (!enabled_ || percent == last_percent_) return;
  last_percent_ = percent;
  std::fprintf(stderr, "\r%s: reading %d%% of %.1f GB", EscapeControl(what_).c_str(), percent,
               static_cast<double>(file_bytes_) / 1e9);
  std::fflush(stderr);
}

std::function<void(int64_t, int64_t)> ProgressLine::Callback() {
  if (!enabled_) return nullptr;
  return [this](int64_t done, int64_t total) {
    if (total > 0) Show(static_cast<int>(100 * done / total));
  };
}

void AddReadFlags(CLI::App& cmd, ReadFlags& flags) {
  cmd.add_option("file", flags.path, "The CSV file")->required();
  cmd.add_option("--delimiter", flags.delimiter,
                 "Field delimiter: , ; tab | space (default: detected)");
  cmd.add_option("--quote", flags.quote, "Quote character, or 'none' (default: detected)");
  cmd.add_option("--encoding", flags.encoding,
                 "utf-8, utf-16le, utf-16be, windows-1252 or iso-8859-1 (default: detected)");
  cmd.add_flag("--no-header", flags.no_header, "The first row is data, not column names");
  cmd.add_option("--type", flags.types, "Force a column's type: COLUMN=KIND (repeatable)");
  cmd.add_option("--threads", flags.threads, "Worker threads (default 0: all cores)");
  cmd.add_option("--block-size", flags.block_mib, "MiB read per block (default 8)");
  cmd.add_option("--limit", flags.limits,
                 "Change a read limit, NAME=VALUE (repeatable): columns (default 16384), "
                 "field-bytes (1 MiB), record-bytes (16 MiB), rows and file-bytes (0: none)");
}

}  // namespace datastory::cli
