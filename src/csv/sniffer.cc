#include "csv/sniffer.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>
#include <set>

#include "base/text.h"
#include "csv/encoding.h"
#include "csv/tokenizer.h"

namespace datastory::csv {

std::string_view LineEndingName(LineEnding ending) {
  switch (ending) {
    case LineEnding::kLf:
      return "lf";
    case LineEnding::kCrLf:
      return "crlf";
    case LineEnding::kCr:
      return "cr";
  }
  return "lf";
}

std::string DelimiterName(char delimiter) {
  switch (delimiter) {
    case ',':
      return "comma";
    case ';':
      return "semicolon";
    case '\t':
      return "tab";
    case '|':
      return "pipe";
    case ' ':
      return "space";
    default:
      return std::string(1, delimiter);
  }
}

namespace {

// The candidates, in order of preference when scores tie.
constexpr char kDelimiters[] = {',', ';', '\t', '|'};
constexpr int kMaxSkippedRecords = 20;
constexpr size_t kRecordsToScore = 500;
// Every candidate is first scored on this many records; only those within kPrescoreMargin of the
// best go on to kRecordsToScore. Most candidates (a ';' reading of a ',' file) fail at once.
constexpr size_t kRecordsToPrescore = 64;
constexpr double kPrescoreMargin = 0.25;

LineEnding DetectLineEnding(std::string_view text) {
  int64_t crlf = 0, lone_cr = 0, lone_lf = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') {
      if (i + 1 < text.size() && text[i + 1] == '\n') {
        ++crlf;
        ++i;
      } else {
        ++lone_cr;
      }
    } else if (text[i] == '\n') {
      ++lone_lf;
    }
  }
  if (lone_cr > 0 && crlf == 0 && lone_lf == 0) return LineEnding::kCr;
  return crlf > lone_lf ? LineEnding::kCrLf : LineEnding::kLf;
}

std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// A record of rules: every field three or more of `-`, `=` or `+` (`----`, `=====`, `---+---`).
bool IsRuleLine(const std::vector<std::string>& record) {
  return std::all_of(record.begin(), record.end(), [](const std::string& field) {
    const std::string_view v = TrimBlanks(field);
    return v.size() >= 3 && v.find_first_not_of("-=+") == std::string_view::npos;
  });
}

// How many blank lines `text` starts with.
int LeadingBlankLines(std::string_view text) {
  int lines = 0;
  size_t at = 0;
  while (at < text.size()) {
    const size_t end = text.find('\n', at);
    if (end == std::string_view::npos || !TrimBlanks(text.substr(at, end - at)).empty()) break;
    ++lines;
    at = end + 1;
  }
  return lines;
}

// A record of one empty field: a blank line.
bool IsBlankRecord(const std::vector<std::string>& record) {
  return record.size() == 1 && record[0].empty();
}

// A field of digits with the signs and separators of a number (`-1,234.5`): a value, not a name.
bool LooksNumeric(const std::string& field) {
  const std::string_view v = TrimBlanks(field);
  const auto number_char = [](char ch) {
    return (ch >= '0' && ch <= '9') || ch == '.' || ch == ',' || ch == '-' || ch == '+';
  };
  return !v.empty() && std::all_of(v.begin(), v.end(), number_char) &&
         v.find_first_of("0123456789") != std::string_view::npos;
}

// True when record `header` of `text` holds names (no field is a number) and the record after
// it holds a number: `one,two,three` over `1,a,alice`.
bool NamesOverValues(std::string_view text, const Dialect& dialect, size_t header) {
  const auto records = SplitRecords(text, dialect, header + kMaxSkippedRecords + 2);
  size_t row = header + 1;
  while (row < records.size() &&
         (IsBlankRecord(records[row]) ||
          (!records[row].empty() && !records[row][0].empty() && records[row][0][0] == '#'))) {
    ++row;
  }
  if (row >= records.size()) return false;
  return std::none_of(records[header].begin(), records[header].end(), LooksNumeric) &&
         std::any_of(records[row].begin(), records[row].end(), LooksNumeric);
}

// True when, past the first record, one column of `text` read by `dialect` holds a number in
// every record: `1 a` over `2 b` are two columns, where `John Smith` is one name.
bool HasANumberColumn(std::string_view text, const Dialect& dialect, int columns) {
  const auto records = SplitRecords(text, dialect, kRecordsToScore);
  size_t header = 0;
  while (header < records.size() && IsBlankRecord(records[header])) ++header;
  if (records.size() < header + 2) return false;
  for (int c = 0; c < columns; ++c) {
    bool numbers = true;
    for (size_t r = header + 1; r < records.size() && numbers; ++r) {
      numbers = IsBlankRecord(records[r]) ||
                (c < static_cast<int>(records[r].size()) && LooksNumeric(records[r][c]));
    }
    if (numbers) return true;
  }
  return false;
}

DialectCandidate ScoreCandidate(std::string_view text, Dialect dialect, bool whole_file,
                                size_t records_to_score) {
  DialectCandidate c;
  c.delimiter = dialect.delimiter;
  c.quote = dialect.quote;
  c.escape = dialect.escape;
  c.literal_inner_quotes = dialect.literal_inner_quotes;
  bool open_quote = false;
  std::vector<RecordShape> records = RecordShapes(text, dialect, records_to_score, &open_quote);
  c.unterminated_quote = open_quote && whole_file;
  std::vector<int> widths;
  widths.reserve(records.size());
  for (const RecordShape& r : records) widths.push_back(r.blank ? 0 : r.fields);
  // The most common width among non-blank, non-comment records; ties go to the wider.
  std::map<int, int> frequency;
  for (size_t i = 0; i < records.size(); ++i) {
    if (widths[i] > 0 && !records[i].comment) frequency[widths[i]]++;
  }
  if (frequency.empty()) return c;
  int best_width = 0, best_count = -1;
  for (auto [width, count] : frequency) {
    if (count >= best_count) best_width = width, best_count = count;
  }
  c.columns = best_width;
  size_t first = 0;
  while (first < records.size() && first < kMaxSkippedRecords &&
         (widths[first] != best_width || records[first].comment)) {
    ++first;
  }
  // A title in the first cell of a row of the table's width (a spreadsheet export:
  // "Quarterly report,,,"), above a row with every field filled, is a line above the table.
  while (first + 1 < records.size() && first < kMaxSkippedRecords && best_width > 2 &&
         widths[first] == best_width && records[first].filled <= 1 && records[first].last_empty) {
    size_t next = first + 1;
    while (next < records.size() && widths[next] == 0) ++next;  // blank lines between
    if (next >= records.size() || records[next].filled != best_width) break;
    first = next;
  }
  // A header one field short of rows that all end with a delimiter (c1,c2 over 1,2,) is the
  // header, not a line above the table.
  if (first > 0 && widths[first - 1] == best_width - 1 && !records[first - 1].comment) {
    bool trailing = true;
    for (size_t i = first; i < records.size() && trailing; ++i) {
      if (widths[i] == best_width) trailing = records[i].last_empty;
    }
    if (trailing) --first;
  }
  // A header one name wider than rows that all have the table's width is names over values,
  // not a title: `one,two,three,four` over `1,a,alice`, or `a,b,` over `1,2`.
  size_t above = first;  // the record above the table, past blank lines
  while (above > 0 && widths[above - 1] == 0) --above;
  if (above > 0 && widths[above - 1] == best_width + 1 && !records[above - 1].comment &&
      records[above - 1].filled >= best_width) {
    bool rows_fit = true;
    for (size_t i = first; i < records.size() && rows_fit; ++i) {
      rows_fit = widths[i] == 0 || widths[i] == best_width || records[i].comment ||
                 (i + 1 == records.size() && !whole_file);
    }
    if (rows_fit && NamesOverValues(text, dialect, above - 1)) {
      first = above - 1;
      c.wider_header = true;
    }
  }
  c.skipped_records = static_cast<int>(first);
  size_t considered = 0, consistent = 0;
  for (size_t i = first; i < records.size(); ++i) {
    if (widths[i] == 0 || (records[i].comment && widths[i] != best_width)) continue;
    if (c.wider_header && i == first) continue;
    ++considered;
    consistent += widths[i] == best_width;
  }
  // The last record of a cut sample may be cut too.
  if (!whole_file && considered > 1 && widths.back() != best_width) --considered;
  c.consistency = considered ? static_cast<double>(consistent) / considered : 0;
  c.score = c.consistency * (best_width > 1 ? 1.0 : 0.1) * (c.unterminated_quote ? 0.5 : 1.0);
  return c;
}

// True when every line of the sample's table ends with a delimiter: each record is `columns`
// wide with an empty last field, but the first may be one short (a header written without it,
// `c1,c2` over `1,2,`). The last record of a cut sample may be cut, so it does not count.
bool EndsEveryLineWithADelimiter(std::string_view table_text, const Dialect& dialect, int columns,
                                 bool whole_file) {
  if (columns < 2) return false;
  std::vector<RecordShape> shapes = RecordShapes(table_text, dialect, kRecordsToScore);
  if (!whole_file && !shapes.empty()) shapes.pop_back();
  int rows = 0;
  for (size_t i = 0; i < shapes.size(); ++i) {
    const RecordShape& r = shapes[i];
    if (r.blank || r.comment) continue;
    const bool short_header = rows == 0 && r.fields == columns - 1;
    if (!short_header && (r.fields != columns || !r.last_empty)) return false;
    ++rows;
  }
  return rows >= 2;
}

// Sets `dialect->comment` (and trailing_comments) when the sample's table, from `table_text` on,
// has comment lines among its rows: `#` lines, fewer than half of the records, one of which
// does not have the table's width or follows a leading comment, or more of them, most not of
// the table's width. A first column of `#ff0000` colours is data. Trailing comments
// (`2.5  # estimated`) need two records that end in one and keep the table's width when cut
// there, or, in a file that has comment lines, cuts that leave every row of one width where the
// rows had several (`1;3 # 5;7` over `6;7`, or `1;3#5;7` with the `#` right after the value).
// Returns the table's width, which such cuts change.
int DetectComments(std::string_view table_text, bool leading_comment, int columns,
                   Dialect* dialect) {
  if (table_text.find('#') == std::string_view::npos) return columns;
  int64_t rows = 0, comments = 0, ragged_comments = 0;
  bool ragged_rows = false;
  for (const RecordShape& r : RecordShapes(table_text, *dialect, kRecordsToScore)) {
    if (r.blank) continue;
    ++rows;
    comments += r.comment;
    ragged_comments += r.comment && r.fields != columns;
    ragged_rows |= !r.comment && r.fields != columns;
  }
  // Comment lines are a minority of the rows, or most of them do not have the table's width
  // (`# note` above `1,2,3`): either way some are no rows of the table.
  const bool lines = comments > 0 && comments < rows &&
                     ((comments * 2 < rows && (ragged_comments > 0 || leading_comment)) ||
                      ragged_comments * 2 > comments);
  if (!lines && !leading_comment) return columns;
  // Notes after values: blank then `#` (`2.5  # estimated`), or, failing that, `#` right after
  // a value (`1;3#5;7`), which only a file with comment lines is read with.
  for (bool unspaced : {false, true}) {
    Dialect with = *dialect;
    with.comment = '#';
    with.trailing_comments = true;
    with.unspaced_comments = unspaced;
    int64_t cut = 0;
    bool cuts_fit = true;
    std::set<int> widths_when_cut;
    for (const RecordShape& r : RecordShapes(table_text, with, kRecordsToScore)) {
      if (r.blank || r.comment) continue;
      widths_when_cut.insert(r.fields);
      if (!r.trailing_comment) continue;
      ++cut;
      cuts_fit &= r.fields == columns;
    }
    const bool trailing = !unspaced && cut >= 2 && cuts_fit;
    const bool evens_rows =
        cut >= 1 && ragged_rows && widths_when_cut.size() == 1 && *widths_when_cut.begin() >= 2;
    if (trailing || evens_rows) {
      dialect->comment = '#';
      dialect->trailing_comments = true;
      dialect->unspaced_comments = unspaced;
      return evens_rows ? *widths_when_cut.begin() : columns;
    }
  }
  if (lines) dialect->comment = '#';
  return columns;
}

constexpr int kMaxFooterLines = 20;
constexpr size_t kFooterTailBytes = 16 << 10;

// A note below a table: its first cell filled and either alone on a line narrower than the
// table, or reading as a note ("Source: …", "* provisional", "Note …") on a line that is not a
// full row (a note's own commas may split it).
bool IsFooterNote(const std::vector<std::string>& record, int columns) {
  if (TrimBlanks(record[0]).empty()) return false;
  int filled = 0;
  for (const std::string& cell : record) filled += !TrimBlanks(cell).empty();
  const int width = static_cast<int>(record.size());
  if (filled == 1 && width < columns) return true;
  if (width == columns && filled == columns) return false;
  // "Source: …", "Note: …", "* provisional", "© 2024 …", "Prepared by …".
  const std::string text = AsciiLower(TrimBlanks(record[0]));
  const size_t colon = text.find(':');  // a label, not a time of day
  if (colon != std::string::npos && colon > 0 && colon <= 20 &&
      (colon + 1 == text.size() || text[colon + 1] == ' ')) {
    return true;
  }
  for (const char* start :
       {"*", "\xe2\x80\xa0", "\xc2\xa9", "copyright", "prepared by", "source ", "sources "}) {
    if (text.rfind(start, 0) == 0) return true;
  }
  return false;
}

// A totals row: as wide as the table, first filled cell "Total", "Totals", "Grand total",
// "Sum" or "Total <something>", and a number among the other cells.
bool IsTotalsRow(const std::vector<std::string>& record, int columns) {
  if (static_cast<int>(record.size()) != columns) return false;
  size_t first = 0;
  while (first < record.size() && TrimBlanks(record[first]).empty()) ++first;
  if (first >= record.size()) return false;
  const std::string label = AsciiLower(TrimBlanks(record[first]));
  const bool total = label == "total" || label == "totals" || label == "sum" ||
                     label == "grand total" || label == "grand totals" ||
                     label.rfind("total ", 0) == 0 || label.rfind("total:", 0) == 0;
  if (!total) return false;
  for (size_t i = first + 1; i < record.size(); ++i) {
    if (record[i].find_first_of("0123456789") != std::string::npos) return true;
  }
  return false;
}

// Finds footer lines: notes at the end of the file and, above them, at most one totals row,
// in the last 16 KiB. They need a table above them in the same piece, or the file to go on
// before it. Sets the dialect's footer fields and `lines` (their text, in file order). Works
// on the bytes as they are: the line breaks, delimiters and words it looks for are ASCII in
// every encoding but UTF-16, which it leaves alone.
Status FindFooter(const ByteSource& source, size_t bom, int columns, Dialect* dialect,
                  std::vector<std::string>* lines) {
  if (dialect->encoding == Encoding::kUtf16Le || dialect->encoding == Encoding::kUtf16Be) {
    return Status::Ok();
  }
  const int64_t size = source.size();
  const int64_t start =
      std::max<int64_t>(static_cast<int64_t>(bom), size - static_cast<int64_t>(kFooterTailBytes));
  std::string tail(static_cast<size_t>(size - start), '\0');
  DS_ASSIGN_OR_RETURN(size_t got, source.ReadAt(start, tail.data(), tail.size()));
  // A source that holds only the head of a file (an upload's preview) does not reach its end.
  if (got < tail.size()) return Status::Ok();
  const char terminator = dialect->RecordTerminator();
  size_t body = 0;
  if (start > static_cast<int64_t>(bom)) {  // from the first whole line of the piece
    body = tail.find(terminator);
    if (body == std::string::npos) return Status::Ok();
    ++body;
  }
  std::vector<int64_t> offsets;
  const auto records =
      SplitRecords(std::string_view(tail).substr(body), *dialect, SIZE_MAX, &offsets);
  int first = static_cast<int>(records.size());
  int footer = 0;
  for (int i = first - 1; i >= 0 && footer < kMaxFooterLines; --i) {
    const auto& record = records[i];
    const bool blank = std::all_of(record.begin(), record.end(),
                                   [](const std::string& c) { return TrimBlanks(c).empty(); });
    if (blank) continue;
    if (IsFooterNote(record, columns)) {
      first = i, ++footer;
      continue;
    }
    if (IsTotalsRow(record, columns)) first = i, ++footer;
    break;  // a totals row is the last footer line from the bottom; anything else is data
  }
  if (footer == 0) return Status::Ok();
  // A table above: two full rows in the piece (a header and a row) when it is the whole file.
  int rows_above = 0;
  for (int i = 0; i < first; ++i) rows_above += static_cast<int>(records[i].size()) == columns;
  if (rows_above < (start > static_cast<int64_t>(bom) ? 1 : 2)) return Status::Ok();
  dialect->footer_offset = start + static_cast<int64_t>(body) + offsets[first];
  dialect->footer_lines = footer;
  for (int i = first; i < static_cast<int>(records.size()); ++i) {
    const size_t from = body + static_cast<size_t>(offsets[i]);
    const size_t to = i + 1 < static_cast<int>(offsets.size())
                          ? body + static_cast<size_t>(offsets[i + 1])
                          : tail.size();
    std::string_view raw = TrimBlanks(std::string_view(tail).substr(from, to - from));
    while (!raw.empty() && (raw.back() == '\n' || raw.back() == '\r')) raw.remove_suffix(1);
    if (!raw.empty()) lines->emplace_back(raw.substr(0, 200));
  }
  return Status::Ok();
}

// Whether `text` holds two complete records: two line breaks outside double quotes (the
// dialect is not known yet; other quotings only make the sample grow a little more).
bool HasTwoRecords(std::string_view text) {
  const char terminator = text.find('\n') != std::string_view::npos ? '\n' : '\r';
  bool quoted = false;
  int records = 0;
  for (char c : text) {
    if (c == '"') quoted = !quoted;
    if (c == terminator && !quoted && ++records == 2) return true;
  }
  return false;
}

// Whether every `c` of `text` lies inside a double-quoted field, the quotes read as RFC 4180
// does (a doubled quote closes and reopens, which leaves the field open).
bool AllInsideDoubleQuotes(std::string_view text, char c) {
  bool quoted = false;
  for (char ch : text) {
    if (ch == '"') {
      quoted = !quoted;
    } else if (ch == c && !quoted) {
      return false;
    }
  }
  return true;
}

// Reads `n` bytes at `offset` and decodes them; `final` when they reach the end of the file.
Result<std::string> ReadText(const ByteSource& source, Encoding encoding, int64_t offset, size_t n,
                             bool* reached_end) {
  n = static_cast<size_t>(std::clamp<int64_t>(source.size() - offset, 0, static_cast<int64_t>(n)));
  std::string raw(n, '\0');
  DS_ASSIGN_OR_RETURN(size_t got, source.ReadAt(offset, raw.data(), n));
  raw.resize(got);
  *reached_end = offset + static_cast<int64_t>(got) >= source.size();
  DS_ASSIGN_OR_RETURN(std::unique_ptr<Decoder> decoder, Decoder::Create(encoding));
  std::string text;
  decoder->Decode(raw, *reached_end, &text);
  return text;
}

}  // namespace

Result<SniffResult> SniffDialect(const ByteSource& source, const SniffOptions& options,
                                 const Limits& limits) {
  SniffResult out;
  out.file_bytes = source.size();
  if (source.size() == 0) return Status::InvalidArgument(source.name() + ": the file is empty");
  if (limits.max_file_bytes > 0 && source.size() > limits.max_file_bytes) {
    return Status::ResourceExhausted(source.name() + ": the file has " +
                                     std::to_string(source.size()) + " bytes, over the limit of " +
                                     ByteCount(static_cast<uint64_t>(limits.max_file_bytes)))
        .WithReason(kFileTooLarge);
  }

  std::string head(std::min<int64_t>(source.size(), 65536), '\0');
  DS_ASSIGN_OR_RETURN(size_t head_size, source.ReadAt(0, head.data(), head.size()));
  head.resize(head_size);
  EncodingGuess guess;
  if (options.overrides.encoding) {
    guess.encoding = *options.overrides.encoding;
    guess.reason = "set by the user";
    if ((guess.encoding == Encoding::kUtf8 || guess.encoding == Encoding::kUtf8Bom) &&
        head.rfind("\xEF\xBB\xBF", 0) == 0) {
      guess.encoding = Encoding::kUtf8Bom;
      guess.bom_bytes = 3;
    }
    if (guess.encoding == Encoding::kUtf16Le && head.rfind("\xFF\xFE", 0) == 0) guess.bom_bytes = 2;
    if (guess.encoding == Encoding::kUtf16Be && head.rfind("\xFE\xFF", 0) == 0) guess.bom_bytes = 2;
    if (guess.encoding == Encoding::kUtf8) {
      size_t bad = FindInvalidUtf8(head, head.size() < static_cast<size_t>(source.size()));
      if (bad != std::string_view::npos) {
        return Status::InvalidArgument(source.name() + ": invalid UTF-8 at byte offset " +
                                       std::to_string(bad) + " (the encoding was set to utf-8)");
      }
    }
  } else {
    auto detected = DetectEncoding(head, head.size() == static_cast<size_t>(source.size()));
    if (!detected.ok()) return detected.status().WithPrefix(source.name());
    guess = *detected;
  }
  out.dialect.encoding = guess.encoding;
  out.encoding_reason = guess.reason;

  // The sample must hold the header and at least one data record, so it grows (doubling) past
  // a first record wider than sample_bytes, up to the record limit.
  bool whole = false;
  std::string text;
  int64_t sampled_bytes = 0;  // of the file, BOM included
  for (size_t want = options.sample_bytes;; want *= 2) {
    DS_ASSIGN_OR_RETURN(text, ReadText(source, guess.encoding,
                                       static_cast<int64_t>(guess.bom_bytes), want, &whole));
    sampled_bytes = std::min<int64_t>(source.size(), static_cast<int64_t>(guess.bom_bytes + want));
    if (whole || want > limits.max_record_bytes || HasTwoRecords(text)) break;
  }
  out.sample_is_whole_file = whole;
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Status::InvalidArgument(source.name() + ": the file has no text, only blank lines");
  }
  if (options.overrides.encoding && guess.encoding == Encoding::kUtf8) {
    const size_t bad = FindInvalidUtf8(text, /*allow_truncated_tail=*/false);
    if (bad != std::string_view::npos) {
      return Status::InvalidArgument(source.name() + ": invalid UTF-8 at byte offset " +
                                     std::to_string(bad) + " (the encoding was set to utf-8)")
          .WithReason(kInvalidEncoding);
    }
  }
  out.dialect.line_ending = DetectLineEnding(text);
  const char terminator = out.dialect.RecordTerminator();
  // The header is a record too: past the record limit, or with no second record within it,
  // the file is refused the way the reader refuses a long row.
  const size_t first_end = text.find(terminator);
  const size_t cut = text.rfind(terminator);
  const bool header_too_long =
      (first_end == std::string::npos ? text.size() : first_end) > limits.max_record_bytes;
  if (header_too_long || (!whole && (first_end == std::string::npos || first_end == cut))) {
    return Status::ResourceExhausted(
               source.name() + ": line " +
               std::to_string(header_too_long || first_end == std::string::npos ? 1 : 2) +
               ": a record longer than " + ByteCount(limits.max_record_bytes) +
               " (the limit for one row) with no line break, or an unclosed quote")
        .WithReason(kRecordTooLong);
  }
  if (!whole) text.resize(cut + 1);  // the last record of a cut sample may be cut too

  // Dialect candidates: every delimiter with the usual quoting, then the rarer quotings where the
  // sample has the characters for them.
  std::vector<Dialect> trials;
  auto add = [&](char delimiter, char quote, char escape, bool literal = false) {
    if (options.overrides.delimiter && *options.overrides.delimiter != delimiter) return;
    if (options.overrides.quote && *options.overrides.quote != quote) return;
    Dialect d = out.dialect;
    d.delimiter = delimiter, d.quote = quote, d.escape = escape;
    d.literal_inner_quotes = literal;
    trials.push_back(d);
  };
  std::vector<char> delimiters(std::begin(kDelimiters), std::end(kDelimiters));
  if (options.overrides.delimiter && std::find(delimiters.begin(), delimiters.end(),
                                               *options.overrides.delimiter) == delimiters.end()) {
    delimiters.push_back(*options.overrides.delimiter);
  }
  bool has_backslash = text.find('\\') != std::string::npos;
  // Apostrophes that all sit inside double-quoted fields ("O'Brien", "{'a': 1}") are text: `'`
  // is then never tried as the quote, though a reading by it may split the lines evenly.
  const bool has_single =
      text.find('\'') != std::string::npos && !AllInsideDoubleQuotes(text, '\'');
  const bool has_quote = text.find('"') != std::string::npos;
  for (char delimiter : delimiters) {
    add(delimiter, '"', '"');
    // RFC 4180 readers take a quote in the middle of a field (`5'11"`) as a character.
    if (has_quote) add(delimiter, '"', '"', /*literal=*/true);
    if (has_backslash) add(delimiter, '"', '\\');
    if (has_single) add(delimiter, '\'', '\'');
    if (has_single && has_backslash) add(delimiter, '\'', '\\');  // 'O\'Brien'
  }

  if (options.overrides.quote && *options.overrides.quote == '\0') {
    for (char delimiter : delimiters) add(delimiter, '\0', '\0');
  }
  double best_prescore = 0;
  int most_columns = 0;
  for (const Dialect& d : trials) {
    out.candidates.push_back(ScoreCandidate(text, d, whole, kRecordsToPrescore));
    best_prescore = std::max(best_prescore, out.candidates.back().score);
    if (out.candidates.back().consistency >= 0.9) {
      most_columns = std::max(most_columns, out.candidates.back().columns);
    }
  }
  // A space separates fields only when no other delimiter does (a space inside names and
  // places would otherwise split a comma-separated file), and never when the user chose one.
  if (most_columns <= 1 && !options.overrides.delimiter &&
      text.find(' ') != std::string_view::npos) {
    const size_t before = trials.size();
    add(' ', '"', '"');
    if (has_single) add(' ', '\'', '\'');
    for (size_t i = before; i < trials.size(); ++i) {
      out.candidates.push_back(ScoreCandidate(text, trials[i], whole, kRecordsToPrescore));
      best_prescore = std::max(best_prescore, out.candidates.back().score);
    }
  }
  for (size_t i = 0; i < trials.size(); ++i) {
    if (out.candidates[i].score >= best_prescore - kPrescoreMargin) {
      out.candidates[i] = ScoreCandidate(text, trials[i], whole, kRecordsToScore);
    }
    // Spaces must split every line, the first included, into the same number of fields, three
    // or more, or two with a number on one side in every row: a column of names ("John
    // Smith") under a one-word header, or under "full name", is one column, not two.
    DialectCandidate& c = out.candidates[i];
    if (c.delimiter == ' ' &&
        (c.skipped_records > LeadingBlankLines(text) || c.consistency < 1 || c.columns < 2 ||
         (c.columns == 2 && !HasANumberColumn(text, trials[i], 2)))) {
      c.score = 0;
    }
  }
  // Best score first; ties go to the reading that keeps more lines in the table (`;` that
  // splits the header too, over `,` that splits only the rows' decimal commas), then to more
  // columns, then to the order tried.
  std::stable_sort(out.candidates.begin(), out.candidates.end(),
                   [](const DialectCandidate& a, const DialectCandidate& b) {
                     if (a.score != b.score) return a.score > b.score;
                     if (a.skipped_records != b.skipped_records) {
                       return a.skipped_records < b.skipped_records;
                     }
                     return a.columns > b.columns;
                   });
  if (out.candidates.empty() || out.candidates.front().columns == 0) {
    return Status::InvalidArgument(source.name() + ": no records found");
  }
  // A quote-toggling reading ties with the literal one when the sample has no quote inside a
  // field's text; then the toggling one is kept (it runs on the SIMD tokenizer). If they tie but
  // read the sample differently, the literal (RFC 4180) reading is right.
  if (out.candidates.size() > 1 && !out.candidates[0].literal_inner_quotes) {
    for (size_t i = 1; i < out.candidates.size(); ++i) {
      const DialectCandidate& other = out.candidates[i];
      if (other.score < out.candidates[0].score) break;
      if (!other.literal_inner_quotes || other.delimiter != out.candidates[0].delimiter) continue;
      Dialect toggle = out.dialect, literal = out.dialect;
      toggle.delimiter = literal.delimiter = other.delimiter;
      literal.literal_inner_quotes = true;
      if (SplitRecords(text, toggle, kRecordsToScore) !=
          SplitRecords(text, literal, kRecordsToScore)) {
        std::swap(out.candidates[0], out.candidates[i]);
      }
      break;
    }
  }
  const DialectCandidate& best = out.candidates.front();
  if (best.columns > limits.max_columns) {
    return Status::ResourceExhausted(source.name() + ": the table has " +
                                     std::to_string(best.columns) + " columns, over the limit of " +
                                     std::to_string(limits.max_columns))
        .WithReason(kTooManyColumns);
  }
  out.dialect.delimiter = best.delimiter;
  out.dialect.quote = best.quote;
  out.dialect.escape = best.escape;
  out.dialect.literal_inner_quotes = best.literal_inner_quotes;
  out.columns = best.columns;

  // The lines above the table, then the table from its first record on.
  std::vector<int64_t> offsets;
  auto records = SplitRecords(text, out.dialect, best.skipped_records + 1, &offsets);
  bool leading_comment = false;
  bool skipped_text = false;  // a skipped line that is neither blank nor a comment
  const auto raw_record = [&](size_t begin, size_t end) {
    std::string_view raw(text.data() + begin, end - begin);
    while (!raw.empty() && (raw.back() == '\n' || raw.back() == '\r')) raw.remove_suffix(1);
    return raw;
  };
  for (int i = 0; i < best.skipped_records && i + 1 < static_cast<int>(offsets.size()); ++i) {
    std::string_view raw = raw_record(offsets[i], offsets[i + 1]);
    leading_comment |= !raw.empty() && raw.front() == '#';
    skipped_text |= !TrimBlanks(raw).empty() && raw.front() != '#';
    out.skipped_lines.emplace_back(raw.substr(0, 200));
  }
  const size_t table_begin =
      best.skipped_records < static_cast<int>(offsets.size()) ? offsets[best.skipped_records] : 0;
  const std::string_view table_text = std::string_view(text).substr(table_begin);
  const Dialect before_comments = out.dialect;
  out.columns = DetectComments(table_text, leading_comment, best.columns, &out.dialect);
  // Cutting notes changed the table's width, so a skipped line (a header of that width) may
  // have been part of the table: keep the uncut reading rather than lose it.
  if (out.columns != best.columns && skipped_text) {
    out.dialect = before_comments;
    out.columns = best.columns;
  }
  if (!best.wider_header &&
      EndsEveryLineWithADelimiter(table_text, out.dialect, out.columns, whole)) {
    out.dialect.trailing_delimiter = true;
    --out.columns;
  }
  // The width of a record as split, the empty field after a trailing delimiter included.
  const int split_width = out.columns + out.dialect.trailing_delimiter;
  // A record as the table's row: without the empty field after a trailing delimiter, with the
  // empty last column of rows one field short of a wider header.
  const auto to_table_width = [&](std::vector<std::string>& record) {
    if (out.dialect.trailing_delimiter && static_cast<int>(record.size()) == split_width &&
        record.back().empty()) {
      record.pop_back();
    }
    if (out.dialect.short_rows && static_cast<int>(record.size()) == out.columns - 1) {
      record.emplace_back();
    }
  };
  offsets.clear();
  records = SplitRecords(table_text, out.dialect, options.max_sample_records, &offsets);
  int64_t line = 1;
  size_t line_cursor = 0;
  auto line_of = [&](int64_t offset) {
    line += std::count(text.begin() + line_cursor, text.begin() + offset, terminator);
    line_cursor = offset;
    return line;
  };
  for (size_t i = 0; i < records.size(); ++i) {
    const size_t begin = table_begin + offsets[i];
    // An empty line is skipped; `""` is a record with one empty value.
    if (begin >= text.size() || text[begin] == '\n' || text[begin] == '\r') continue;
    to_table_width(records[i]);
    out.records.push_back(std::move(records[i]));
    out.record_offsets.push_back(static_cast<int64_t>(begin));
    out.record_lines.push_back(line_of(static_cast<int64_t>(begin)));
  }
  if (out.records.empty()) return Status::InvalidArgument(source.name() + ": no records found");
  // A rule under the names (`----` or `====` in every field, as SQL clients print a table) is
  // no row.
  const bool no_header = options.overrides.header && !*options.overrides.header;
  if (out.records.size() > 2 && !no_header && IsRuleLine(out.records[1]) &&
      !IsRuleLine(out.records[0]) &&
      std::none_of(out.records[0].begin(), out.records[0].end(), LooksNumeric)) {
    out.records.erase(out.records.begin() + 1);
    out.record_offsets.erase(out.record_offsets.begin() + 1);
    out.record_lines.erase(out.record_lines.begin() + 1);
  }
  // A header one name wider than the rows: an empty last name is a trailing delimiter's (no
  // column); another names a last column the rows leave empty.
  if (best.wider_header && static_cast<int>(out.records[0].size()) == out.columns + 1) {
    if (TrimBlanks(out.records[0].back()).empty()) {
      out.records[0].pop_back();
    } else {
      out.dialect.short_rows = true;
      ++out.columns;
      for (size_t i = 1; i < out.records.size(); ++i) to_table_width(out.records[i]);
    }
  }
  DS_RETURN_IF_ERROR(
      FindFooter(source, guess.bom_bytes, split_width, &out.dialect, &out.footer_lines));
  // When the sample reaches the footer, its lines are no records of it either.
  const bool sample_has_footer =
      out.dialect.footer_offset >= 0 && sampled_bytes > out.dialect.footer_offset;
  for (int drop = sample_has_footer ? out.dialect.footer_lines : 0;
       drop > 0 && out.records.size() > 1;) {
    const auto& last = out.records.back();
    const bool filled = std::any_of(last.begin(), last.end(),
                                    [](const std::string& c) { return !TrimBlanks(c).empty(); });
    if (filled && !IsFooterNote(last, out.columns) && !IsTotalsRow(last, out.columns)) break;
    drop -= filled;
    out.records.pop_back();
    out.record_offsets.pop_back();
    out.record_lines.pop_back();
  }
  out.dialect.skipped_lines = static_cast<int>(out.record_lines.front() - 1);
  out.dialect.data_offset = out.record_offsets.front();
  if (options.overrides.header) {
    out.dialect.header = *options.overrides.header;
    out.header_set_by_user = true;
  }

  // Pieces from further into a large file: skip to a line start, keep records of full width.
  int64_t size = source.size();
  if (!whole && options.extra_samples > 0) {
    for (size_t k = 1; k <= options.extra_samples; ++k) {
      int64_t at = size * static_cast<int64_t>(k) / static_cast<int64_t>(options.extra_samples + 1);
      if (guess.encoding == Encoding::kUtf16Le || guess.encoding == Encoding::kUtf16Be) at &= ~1LL;
      if (at <= static_cast<int64_t>(options.sample_bytes)) continue;
      bool end = false;
      auto piece = ReadText(source, guess.encoding, at, options.extra_sample_bytes, &end);
      if (!piece.ok()) return piece.status();
      size_t start = piece->find(terminator);
      size_t stop = piece->rfind(terminator);
      if (start == std::string::npos || stop <= start) continue;
      std::string_view body(piece->data() + start + 1, stop - start);
      for (auto& r : SplitRecords(body, out.dialect, 2000)) {
        to_table_width(r);
        if (static_cast<int>(r.size()) == out.columns) out.extra_records.push_back(std::move(r));
      }
    }
  }
  return out;
}

}  // namespace datastory::csv
