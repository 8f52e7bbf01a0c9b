#include "csv/tokenizer.h"

#include <algorithm>
#include <cstring>

#include "base/check.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace datastory::csv {

namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

}  // namespace

std::string_view Unquote(std::string_view raw, const Dialect& dialect, std::string* scratch) {
  const char quote = dialect.quote;
  const char escape = dialect.escape;
  const bool backslash = escape != '\0' && escape != quote;
  if (raw.empty()) return raw;
  if (dialect.literal_inner_quotes && raw.front() != quote) return raw;
  if (quote != '\0' && raw.front() == quote && raw.size() >= 2 && raw.back() == quote) {
    // The common case: a fully quoted field with no quote or escape inside.
    std::string_view inner = raw.substr(1, raw.size() - 2);
    if (inner.find(quote) == std::string_view::npos &&
        (!backslash || inner.find(escape) == std::string_view::npos)) {
      return inner;
    }
  } else if ((quote == '\0' || raw.find(quote) == std::string_view::npos) &&
             (!backslash || raw.find(escape) == std::string_view::npos)) {
    return raw;
  }
  scratch->clear();
  bool inside = false;
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (backslash && c == escape && i + 1 < raw.size()) {
      scratch->push_back(raw[++i]);
    } else if (quote != '\0' && c == quote) {
      if (inside && escape == quote && i + 1 < raw.size() && raw[i + 1] == quote) {
        scratch->push_back(quote);
        ++i;
      } else {
        inside = !inside;
      }
    } else {
      scratch->push_back(c);
    }
  }
  return *scratch;
}

std::string_view RecordBatch::Value(int64_t row, int column, const Dialect& dialect,
                                    std::string* scratch) const {
  const Cell& c = cell(row, column);
  if (c.absent()) return {};
  std::string_view raw(data + c.begin, c.end() - c.begin);
  return c.has_quote() ? Unquote(raw, dialect, scratch) : raw;
}

// Collects fields into the batch matrix, pads and reports ragged rows, flushes full batches.
class Tokenizer::Emitter {
 public:
  Emitter(Tokenizer& t, std::string_view block, int64_t block_index, int64_t first_line,
          int64_t first_offset, const std::function<void(const RecordBatch&)>& on_batch,
          DiagnosticLog* log)
      : t_(t),
        block_(block),
        first_line_(first_line),
        first_offset_(first_offset),
        on_batch_(on_batch),
        log_(log),
        terminator_(t.dialect_.RecordTerminator()) {
    batch_.data = block.data();
    batch_.columns = t.columns_;
    batch_.block_index = block_index;
    size_t capacity = static_cast<size_t>(t.batch_rows_);
    if (t.cells_.size() < capacity * t.columns_) t.cells_.resize(capacity * t.columns_);
    if (t.row_begin_.size() < capacity) {
      t.row_begin_.resize(capacity);
      t.row_end_.resize(capacity);
    }
    cells_ = t.cells_.data();
    row_cells_ = cells_;
  }

  // A field ends at `end` (exclusive); `terminator` says whether it also ends the record.
  inline void Field(uint32_t begin, uint32_t end, bool terminator, bool quote) {
    if (terminator && end > begin && block_[end - 1] == '\r' && terminator_ == '\n') --end;
    if (column_ < t_.columns_) {
      row_cells_[column_] = Cell::Make(begin, end, quote);
    } else if (column_ == t_.columns_) {
      extra_empty_ = begin == end;
    }
    ++column_;
    if (terminator) EndRecord(end);
  }

  inline void EndRecord(uint32_t end) {
    int columns = t_.columns_;
    if (column_ == 1 && row_cells_[0].begin == row_cells_[0].end()) {
      ++result_.blank_lines;  // an empty line: not a record
    } else {
      if (column_ != columns &&
          !(column_ == columns + 1 && extra_empty_ && t_.dialect_.trailing_delimiter) &&
          !(column_ == columns - 1 && t_.dialect_.short_rows)) {
        Ragged();
      }
      for (int c = column_; c < columns; ++c) row_cells_[c] = Cell::Absent();
      t_.row_begin_[rows_] = record_begin_;
      t_.row_end_[rows_] = end;
      ++rows_;
      row_cells_ += columns;
      if (rows_ == t_.batch_rows_) Flush();
    }
    column_ = 0;
  }

  void set_record_begin(uint32_t begin) { record_begin_ = begin; }

  // A comment line starting at `begin`: no record, one diagnostic.
  void CommentLine(uint32_t begin) {
    if (log_->Count(DiagnosticKind::kCommentLine) >= DiagnosticLog::kKeepPerKind) {
      log_->Add(Diagnostic{DiagnosticKind::kCommentLine, 0, 0, {}});  // counted, not kept
      return;
    }
    log_->Add(Diagnostic{DiagnosticKind::kCommentLine, LineOf(begin), first_offset_ + begin,
                         "a comment line, not a row"});
  }

  void Flush() {
    if (rows_ == 0) return;
    batch_.rows = rows_;
    batch_.cells = cells_;
    batch_.row_begin = t_.row_begin_.data();
    batch_.row_end = t_.row_end_.data();
    on_batch_(batch_);
    result_.rows += rows_;
    batch_.first_row_in_block += rows_;
    rows_ = 0;
    row_cells_ = cells_;
  }

  // At the end of the block: a last record without a terminator, an open quote.
  TokenizeResult Finish(uint32_t field_begin, bool inside_quote, bool quote) {
    uint32_t n = static_cast<uint32_t>(block_.size());
    if (inside_quote) {
      result_.unterminated_quote = true;
      log_->Add(Diagnostic{DiagnosticKind::kUnterminatedQuote, LineOf(record_begin_),
                           first_offset_ + record_begin_,
                           "a quoted field is still open at the end of the file; its text runs "
                           "to the end"});
    }
    if (field_begin < n || column_ > 0) Field(field_begin, n, /*terminator=*/true, quote);
    Flush();
    return result_;
  }

 private:
  void Ragged() {
    bool few = column_ < t_.columns_;
    DiagnosticKind kind = few ? DiagnosticKind::kTooFewFields : DiagnosticKind::kTooManyFields;
    if (log_->Count(kind) >= DiagnosticLog::kKeepPerKind) {
      log_->Add(Diagnostic{kind, 0, 0, {}});  // counted, not kept
      return;
    }
    log_->Add(Diagnostic{
        kind, LineOf(record_begin_), first_offset_ + record_begin_,
        "expected " + std::to_string(t_.columns_) + " fields, found " + std::to_string(column_) +
            (few ? "; the missing ones read as empty" : "; the extra ones are ignored")});
  }

  // The physical line of a byte of the block, counted incrementally (offsets only grow).
  int64_t LineOf(uint32_t offset) {
    if (offset < line_cursor_) line_cursor_ = 0, lines_before_cursor_ = 0;
    lines_before_cursor_ +=
        std::count(block_.data() + line_cursor_, block_.data() + offset, terminator_);
    line_cursor_ = offset;
    return first_line_ + lines_before_cursor_;
  }

  Tokenizer& t_;
  bool extra_empty_ = false;  // the field past the last column was empty
  std::string_view block_;
  int64_t first_line_;
  int64_t first_offset_;
  const std::function<void(const RecordBatch&)>& on_batch_;
  DiagnosticLog* log_;
  char terminator_;
  RecordBatch batch_;
  Cell* cells_;
  Cell* row_cells_;
  int column_ = 0;
  int64_t rows_ = 0;
  uint32_t record_begin_ = 0;
  uint32_t line_cursor_ = 0;
  int64_t lines_before_cursor_ = 0;
  TokenizeResult result_;
};

Tokenizer::Tokenizer(const Dialect& dialect, int columns, int64_t batch_rows)
    : dialect_(dialect),
      columns_(std::max(columns, 1)),
      batch_rows_(std::max<int64_t>(batch_rows, 1)) {}

TokenizeResult Tokenizer::Run(std::string_view block, int64_t block_index, int64_t first_line,
                              int64_t first_offset,
                              const std::function<void(const RecordBatch&)>& on_batch,
                              DiagnosticLog* log) {
  DS_CHECK(block.size() < Cell::kQuoteBit);
#if defined(__SSE2__)
  if (dialect_.HasSimpleQuoting()) {
    Emitter emitter(*this, block, block_index, first_line, first_offset, on_batch, log);
    return RunSimd(block, emitter);
  }
#endif
  return RunScalar(block, block_index, first_line, first_offset, on_batch, log);
}

TokenizeResult Tokenizer::RunScalar(std::string_view block, int64_t block_index, int64_t first_line,
                                    int64_t first_offset,
                                    const std::function<void(const RecordBatch&)>& on_batch,
                                    DiagnosticLog* log) {
  DS_CHECK(block.size() < Cell::kQuoteBit);
  Emitter emitter(*this, block, block_index, first_line, first_offset, on_batch, log);
  const char quote = dialect_.quote;
  const char escape = dialect_.escape;
  const bool backslash = escape != '\0' && escape != quote;
  const char delimiter = dialect_.delimiter;
  const char terminator = dialect_.RecordTerminator();
  const char* data = block.data();
  const uint32_t n = static_cast<uint32_t>(block.size());
  const bool literal = dialect_.literal_inner_quotes;
  const char comment = dialect_.comment;
  const bool trailing = comment != '\0' && dialect_.trailing_comments;
  const bool unspaced = dialect_.unspaced_comments;
  bool inside = false;
  bool special = false;  // the current field has a quote or escape character
  uint32_t field_begin = 0, record_begin = 0, closed_at = UINT32_MAX;
  auto line_end = [&](uint32_t from) {
    const void* at = std::memchr(data + from, terminator, n - from);
    return at ? static_cast<uint32_t>(static_cast<const char*>(at) - data) : n;
  };
  for (uint32_t i = 0; i < n; ++i) {
    char c = data[i];
    if (comment != '\0' && c == comment && !inside) {
      if (i == record_begin) {  // a comment line: skipped whole, quotes and all
        emitter.CommentLine(i);
        i = line_end(i);
        field_begin = record_begin = i + 1;
        emitter.set_record_begin(field_begin);
        continue;
      }
      if (trailing && (IsBlank(data[i - 1]) || unspaced)) {  // a note after the record's last value
        uint32_t end = i;
        while (end > field_begin && IsBlank(data[end - 1])) --end;
        emitter.Field(field_begin, end, /*terminator=*/true, special);
        special = false;
        i = line_end(i);
        field_begin = record_begin = i + 1;
        emitter.set_record_begin(field_begin);
        continue;
      }
    }
    if (backslash && c == escape) {
      special = true;
      ++i;  // the next byte is literal, inside quotes or out
      continue;
    }
    if (quote != '\0' && c == quote) {
      special = true;
      // In literal mode a quote opens only at a field start (or right after a closing quote:
      // a doubled quote); elsewhere it is text.
      if (inside || !literal || i == field_begin || closed_at + 1 == i) {
        if (inside) closed_at = i;
        inside = !inside;
      }
    } else if (!inside && (c == delimiter || c == terminator)) {
      emitter.Field(field_begin, i, c == terminator, special);
      special = false;
      field_begin = i + 1;
      if (c == terminator) {
        record_begin = field_begin;
        emitter.set_record_begin(field_begin);
      }
    }
  }
  return emitter.Finish(std::min(field_begin, n), inside, special);
}

#if defined(__SSE2__)
namespace {

inline uint64_t MatchMask(const char* p, __m128i needle) {
  auto m = [&](size_t k) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
    return static_cast<uint64_t>(
        static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, needle))));
  };
  return m(0) | (m(1) << 16) | (m(2) << 32) | (m(3) << 48);
}

// Bit i of the result is the XOR of bits 0..i of x: 1 between an opening and a closing quote.
inline uint64_t PrefixXor(uint64_t x) {
  x ^= x << 1;
  x ^= x << 2;
  x ^= x << 4;
  x ^= x << 8;
  x ^= x << 16;
  x ^= x << 32;
  return x;
}

}  // namespace

TokenizeResult Tokenizer::RunSimd(std::string_view block, Emitter& emitter) {
  const char* data = block.data();
  const uint32_t n = static_cast<uint32_t>(block.size());
  const bool quoting = dialect_.quote != '\0';
  const __m128i quote = _mm_set1_epi8(dialect_.quote);
  const __m128i delimiter = _mm_set1_epi8(dialect_.delimiter);
  const __m128i terminator = _mm_set1_epi8(dialect_.RecordTerminator());
  uint64_t inside_carry = 0;
  uint32_t field_begin = 0;
  int64_t last_quote = -1;  // position of the last quote before the current block
  alignas(16) char tail[64];
  for (uint32_t pos = 0; pos < n; pos += 64) {
    const char* p = data + pos;
    if (n - pos < 64) {
      std::memset(tail, 0, sizeof(tail));
      std::memcpy(tail, p, n - pos);
      p = tail;
    }
    uint64_t quotes = quoting ? MatchMask(p, quote) : 0;
    uint64_t ends = MatchMask(p, terminator);
    uint64_t structural = MatchMask(p, delimiter) | ends;
    if (quotes) {
      uint64_t inside = PrefixXor(quotes) ^ inside_carry;
      inside_carry = static_cast<uint64_t>(static_cast<int64_t>(inside) >> 63);
      structural &= ~inside;
    } else {
      structural &= ~inside_carry;
    }
    if (n - pos < 64) structural &= (uint64_t{1} << (n - pos)) - 1;
    while (structural) {
      int bit = __builtin_ctzll(structural);
      uint32_t at = pos + bit;
      bool is_end = (ends >> bit) & 1;
      uint64_t before = quotes & ((uint64_t{1} << bit) - 1);
      int64_t quote_at =
          before ? static_cast<int64_t>(pos) + 63 - __builtin_clzll(before) : last_quote;
      emitter.Field(field_begin, at, is_end, quote_at >= static_cast<int64_t>(field_begin));
      field_begin = at + 1;
      if (is_end) emitter.set_record_begin(field_begin);
      structural &= structural - 1;
    }
    if (quotes) last_quote = static_cast<int64_t>(pos) + 63 - __builtin_clzll(quotes);
  }
  return emitter.Finish(std::min(field_begin, n), inside_carry != 0,
                        last_quote >= static_cast<int64_t>(field_begin));
}
#endif

namespace {

// The byte-at-a-time record scanner behind SplitRecords and RecordShapes. Calls
// field(begin, end, last) for each field ([begin, end) of `text`, without a CR before the
// terminator) and record(begin) after each record's last field, trailing_comment(begin) before
// it when a trailing comment ended the record; skips comment lines; stops after `max_records`.
// Returns whether a quote is still open at the end.
template <typename FieldFn, typename RecordFn, typename CommentFn>
bool ScanRecords(std::string_view text, const Dialect& dialect, size_t max_records, FieldFn&& field,
                 RecordFn&& record, CommentFn&& trailing_comment) {
  const char quote = dialect.quote;
  const char escape = dialect.escape;
  const bool backslash = escape != '\0' && escape != quote;
  const bool literal = dialect.literal_inner_quotes;
  const char terminator = dialect.RecordTerminator();
  const char comment = dialect.comment;
  const bool trailing = comment != '\0' && dialect.trailing_comments;
  const bool unspaced = dialect.unspaced_comments;
  bool inside = false;
  size_t records = 0, fields_in_record = 0;
  size_t field_begin = 0, record_begin = 0, closed_at = SIZE_MAX;
  auto end_field = [&](size_t end, bool last) {
    if (last && terminator == '\n' && end > field_begin && text[end - 1] == '\r') --end;
    field(field_begin, end, last);
    ++fields_in_record;
  };
  auto line_end = [&](size_t from) {
    const size_t at = text.find(terminator, from);
    return at == std::string_view::npos ? text.size() : at;
  };
  for (size_t i = 0; i < text.size() && records < max_records; ++i) {
    char c = text[i];
    if (comment != '\0' && c == comment && !inside) {
      if (i == record_begin) {  // a comment line: not a record
        i = line_end(i);
        field_begin = record_begin = i + 1;
        continue;
      }
      if (trailing && (IsBlank(text[i - 1]) || unspaced)) {  // a note after the record's last value
        size_t end = i;
        while (end > field_begin && IsBlank(text[end - 1])) --end;
        field(field_begin, end, /*last=*/true);
        trailing_comment(record_begin);
        record(record_begin);
        ++records;
        fields_in_record = 0;
        i = line_end(i);
        field_begin = record_begin = i + 1;
        continue;
      }
    }
    if (backslash && c == escape) {
      ++i;
      continue;
    }
    if (quote != '\0' && c == quote) {
      if (inside || !literal || i == field_begin || closed_at + 1 == i) {
        if (inside) closed_at = i;
        inside = !inside;
      }
    } else if (!inside && (c == dialect.delimiter || c == terminator)) {
      end_field(i, c == terminator);
      field_begin = i + 1;
      if (c == terminator) {
        record(record_begin);
        ++records;
        fields_in_record = 0;
        record_begin = i + 1;
      }
    }
  }
  if (records < max_records && (field_begin < text.size() || fields_in_record > 0)) {
    end_field(text.size(), true);
    record(record_begin);
  }
  return inside;
}

}  // namespace

std::vector<std::vector<std::string>> SplitRecords(std::string_view text, const Dialect& dialect,
                                                   size_t max_records,
                                                   std::vector<int64_t>* offsets,
                                                   bool* unterminated_quote) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string scratch;
  bool open = ScanRecords(
      text, dialect, max_records,
      [&](size_t begin, size_t end, bool) {
        record.emplace_back(Unquote(text.substr(begin, end - begin), dialect, &scratch));
      },
      [&](size_t begin) {
        if (offsets) offsets->push_back(static_cast<int64_t>(begin));
        records.push_back(std::move(record));
        record.clear();
      },
      [](size_t) {});
  if (unterminated_quote) *unterminated_quote = open;
  return records;
}

std::vector<RecordShape> RecordShapes(std::string_view text, const Dialect& dialect,
                                      size_t max_records, bool* unterminated_quote) {
  std::vector<RecordShape> shapes;
  RecordShape shape;
  bool open = ScanRecords(
      text, dialect, max_records,
      [&](size_t begin, size_t end, bool) {
        if (shape.fields == 0) {
          shape.blank = begin == end;
          shape.comment = begin < end && text[begin] == '#';
        } else {
          shape.blank = false;
        }
        shape.last_empty = begin == end;
        shape.filled += begin != end;
        ++shape.fields;
      },
      [&](size_t) {
        shapes.push_back(shape);
        shape = RecordShape();
      },
      [&](size_t) { shape.trailing_comment = true; });
  if (unterminated_quote) *unterminated_quote = open;
  return shapes;
}

}  // namespace datastory::csv
