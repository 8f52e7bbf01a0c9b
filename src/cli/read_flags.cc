#include "cli/read_flags.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdio>

namespace datastory::cli {
namespace {

Result<char> ParseDelimiter(const std::string& text) {
  if (text == "," || text == "comma") return ',';
  if (text == ";" || text == "semicolon") return ';';
  if (text == "\t" || text == "\\t" || text == "tab") return '\t';
  if (text == "|" || text == "pipe") return '|';
  if (text.size() == 1 && text[0] != '"' && text[0] != '\n' && text[0] != '\r') return text[0];
  return Status::InvalidArgument(
      "--delimiter: expected one character (or comma, semicolon, tab, pipe), got '" + text + "'");
}

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

Status BuildReadOptions(const ReadFlags& f, analysis::ProfileOptions* options) {
  if (!f.delimiter.empty()) {
    DS_ASSIGN_OR_RETURN(char d, ParseDelimiter(f.delimiter));
    options->sniff.overrides.delimiter = d;
  }
  if (!f.quote.empty()) {
    if (f.quote == "none") {
      options->sniff.overrides.quote = '\0';
    } else if (f.quote.size() == 1) {
      options->sniff.overrides.quote = f.quote[0];
    } else {
      return Status::InvalidArgument("--quote: expected one character or 'none', got '" + f.quote +
                                     "'");
    }
  }
  if (!f.encoding.empty()) {
    auto e = csv::ParseEncodingName(f.encoding);
    if (!e) {
      return Status::InvalidArgument("--encoding: unknown encoding '" + f.encoding +
                                     "'; use utf-8, utf-16le, utf-16be or windows-1252");
    }
    options->sniff.overrides.encoding = *e;
    options->read.strict_encoding = true;
  }
  if (f.no_header) options->sniff.overrides.header = false;
  for (const std::string& t : f.types) {
    size_t eq = t.rfind('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::InvalidArgument("--type: expected COLUMN=KIND, got '" + t + "'");
    }
    auto kind = table::ParseColumnTypeName(t.substr(eq + 1));
    if (!kind) {
      return Status::InvalidArgument("--type " + t + ": unknown kind '" + t.substr(eq + 1) +
                                     "'; use integer, float, boolean, date, datetime, "
                                     "categorical, text or identifier");
    }
    options->inference.type_overrides[t.substr(0, eq)] = *kind;
  }
  if (f.threads < 0) return Status::InvalidArgument("--threads must be 0 (all cores) or more");
  options->read.threads = f.threads;
  if (f.block_mib < 1 || f.block_mib > 1024) {
    return Status::InvalidArgument("--block-size must be 1 to 1024 (MiB)");
  }
  options->read.block_bytes = static_cast<size_t>(f.block_mib) << 20;
  for (const std::string& limit : f.limits) {
    DS_RETURN_IF_ERROR(ApplyLimit(limit, &options->read.limits));
  }
  return Status::Ok();
}

ProgressLine::ProgressLine(const std::string& what) : what_(what), enabled_(isatty(2) == 1) {}

void ProgressLine::Finish() {
  if (enabled_ && last_percent_ >= 0) std::fputs("\r\033[K", stderr);
  last_percent_ = -1;
}

std::function<void(int64_t, int64_t)> ProgressLine::Callback() {
  if (!enabled_) return nullptr;
  return [this](int64_t done, int64_t total) {
    if (total < (64 << 20)) return;  // small files finish before a line is worth reading
    int percent = static_cast<int>(100 * done / total);
    if (percent == last_percent_) return;
    last_percent_ = percent;
    std::fprintf(stderr, "\r%s: reading %d%% of %.1f GB", what_.c_str(), percent, total / 1e9);
    std::fflush(stderr);
  };
}

void AddReadFlags(CLI::App& cmd, ReadFlags& flags) {
  cmd.add_option("file", flags.path, "The CSV file")->required();
  cmd.add_option("--delimiter", flags.delimiter, "Field delimiter: , ; tab | (default: detected)");
  cmd.add_option("--quote", flags.quote, "Quote character, or 'none' (default: detected)");
  cmd.add_option("--encoding", flags.encoding,
                 "utf-8, utf-16le, utf-16be or windows-1252 (default: detected)");
  cmd.add_flag("--no-header", flags.no_header, "The first row is data, not column names");
  cmd.add_option("--type", flags.types, "Force a column's type: COLUMN=KIND (repeatable)");
  cmd.add_option("--threads", flags.threads, "Worker threads (default 0: all cores)");
  cmd.add_option("--block-size", flags.block_mib, "MiB read per block (default 8)");
  cmd.add_option("--limit", flags.limits,
                 "Change a read limit, NAME=VALUE (repeatable): columns (default 16384), "
                 "field-bytes (1 MiB), record-bytes (16 MiB), rows and file-bytes (0: none)");
}

}  // namespace datastory::cli
