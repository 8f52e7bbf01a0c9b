// The dialect of a CSV file: how its bytes encode text, rows and fields.
//
// DetectDialect (sniffer.h) guesses each field from a sample; every field the user sets
// (`--delimiter`, `--encoding`, `--no-header`) beats the guess.
#ifndef DATASTORY_CSV_DIALECT_H_
#define DATASTORY_CSV_DIALECT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace datastory::csv {

enum class Encoding {
  kUtf8,         // plain UTF-8 (ASCII included)
  kUtf8Bom,      // UTF-8 behind EF BB BF
  kUtf16Le,      // behind FF FE, transcoded to UTF-8
  kUtf16Be,      // behind FE FF, transcoded to UTF-8
  kWindows1252,  // bytes that are not valid UTF-8; a superset of Latin-1's printable range
  kLatin1,       // ISO-8859-1: such bytes with some that Windows-1252 leaves undefined (0x81 …)
};

enum class LineEnding { kLf, kCrLf, kCr };

// Canonical names: "utf-8", "utf-8-bom", "utf-16le", "utf-16be", "windows-1252", "iso-8859-1".
std::string_view EncodingName(Encoding encoding);
// Accepts the canonical names and common aliases ("utf8", "latin1", "cp1252", "iso-8859-1" …).
std::optional<Encoding> ParseEncodingName(std::string_view name);
std::string_view LineEndingName(LineEnding ending);  // "lf", "crlf", "cr"

struct Dialect {
  Encoding encoding = Encoding::kUtf8;
  char delimiter = ',';
  char quote = '"';   // '\0': fields are never quoted
  char escape = '"';  // == quote: RFC 4180 doubled quotes; '\\': backslash escapes; '\0': none
  LineEnding line_ending = LineEnding::kLf;
  bool header = true;  // the first record (after skipped lines) names the columns
  // A quote in the middle of an unquoted field is a plain character (`37'37.8"N`), as in
  // RFC 4180 readers; only a quote at the start of a field opens a quoted field. Needs the
  // byte-at-a-time tokenizer, so it is chosen only when the sample has such quotes.
  bool literal_inner_quotes = false;
  // A line whose first byte is `comment` is a note, not a record ('\0': none). Chosen when the
  // file has such lines among its rows, so a first column of `#ff0000` colours stays data.
  char comment = '\0';
  // With `comment` set: whitespace then `comment` after a value ends the record there
  // (`1.5,2  # estimated`). Chosen when the file writes its notes that way.
  bool trailing_comments = false;
  // With trailing_comments: a `comment` right after a value (`1;3#5;7`) starts the note too.
  // Chosen only when cutting there evens the rows of a file that has comment lines.
  bool unspaced_comments = false;
  // Every line ends with a delimiter (`a,b,` over `1,2,`): the empty field after it is no
  // column, and a row that has it is not ragged.
  bool trailing_delimiter = false;
  // The rows are one field short of the header (`one,two,three,four` over `1,a,alice`): the
  // last column is empty, and a row without it is not ragged.
  bool short_rows = false;
  // Lines before the first record (titles, `#` comments) that are not part of the table.
  int skipped_lines = 0;
  // Lines after the table (a totals row, "Source: …" notes), and the byte offset in the file
  // (not the decoded text) where they begin, -1 when there are none: the reader stops there.
  int footer_lines = 0;
  int64_t footer_offset = -1;
  // Byte offset in the decoded UTF-8 text where reading starts: the first record as sniffed;
  // after InferSchema, the first data record (past the header), or -1 when there is none.
  int64_t data_offset = 0;

  // The byte that ends a record: '\n' for LF and CRLF, '\r' for CR.
  char RecordTerminator() const { return line_ending == LineEnding::kCr ? '\r' : '\n'; }
  // True when fields can be split with quote parity alone (RFC 4180 style, or no quoting) and
  // no comment hides quotes from it.
  bool HasSimpleQuoting() const {
    return !literal_inner_quotes && comment == '\0' &&
           (quote == '\0' || escape == quote || escape == '\0');
  }
};

// What the user said on the command line; anything unset is guessed.
struct DialectOverrides {
  std::optional<Encoding> encoding;
  std::optional<char> delimiter;
  std::optional<char> quote;
  std::optional<bool> header;
};

// "," -> "comma", "\t" -> "tab", for messages and JSON.
std::string DelimiterName(char delimiter);

}  // namespace datastory::csv

#endif  // DATASTORY_CSV_DIALECT_H_
