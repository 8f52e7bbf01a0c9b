#include "csv/tokenizer.h"

#include <gtest/gtest.h>

#include <random>

namespace datastory::csv {
namespace {

struct Table {
  std::vector<std::vector<std::string>> rows;
  TokenizeResult result;
  DiagnosticLog log;
};

Table Tokenize(std::string_view text, const Dialect& dialect, int columns, bool scalar,
               int64_t batch_rows = 3) {
  Table t;
  Tokenizer tokenizer(dialect, columns, batch_rows);
  std::string scratch;
  auto on_batch = [&](const RecordBatch& b) {
    for (int64_t r = 0; r < b.rows; ++r) {
      std::vector<std::string> row;
      for (int c = 0; c < b.columns; ++c) {
        row.push_back(b.cell(r, c).absent() ? "<absent>"
                                            : std::string(b.Value(r, c, dialect, &scratch)));
      }
      t.rows.push_back(row);
    }
  };
  t.result = scalar ? tokenizer.RunScalar(text, 0, 1, 0, on_batch, &t.log)
                    : tokenizer.Run(text, 0, 1, 0, on_batch, &t.log);
  return t;
}

TEST(TokenizerTest, QuotesNewlinesAndDoubledQuotes) {
  Dialect d;
  std::string text = "a,\"b,1\",\"say \"\"hi\"\"\"\r\n\"multi\nline\",x,\r\n";
  for (bool scalar : {false, true}) {
    Table t = Tokenize(text, d, 3, scalar);
    ASSERT_EQ(t.rows.size(), 2u);
    EXPECT_EQ(t.rows[0], (std::vector<std::string>{"a", "b,1", "say \"hi\""}));
    EXPECT_EQ(t.rows[1], (std::vector<std::string>{"multi\nline", "x", ""}));
  }
}

TEST(TokenizerTest, RaggedRowsAreKeptAndReported) {
  Dialect d;
  Table t = Tokenize("1,2,3\n4,5\n6,7,8,9\n", d, 3, false);
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(t.rows[1], (std::vector<std::string>{"4", "5", "<absent>"}));
  EXPECT_EQ(t.rows[2], (std::vector<std::string>{"6", "7", "8"}));
  EXPECT_EQ(t.log.Count(DiagnosticKind::kTooFewFields), 1);
  EXPECT_EQ(t.log.Count(DiagnosticKind::kTooManyFields), 1);
  auto sorted = t.log.Sorted();
  EXPECT_EQ(sorted[0].line, 2);
  EXPECT_EQ(sorted[0].byte_offset, 6);
  EXPECT_EQ(sorted[1].line, 3);
}

// With a trailing delimiter on every line, the empty field after it is no extra field; a value
// there still is one.
TEST(TokenizerTest, TrailingDelimiterIsNotARaggedRow) {
  Dialect d;
  d.trailing_delimiter = true;
  for (bool scalar : {false, true}) {
    Table t = Tokenize("1,2,\r\n3,4,\r\n5,6\r\n7,8,9\r\n", d, 2, scalar);
    ASSERT_EQ(t.rows.size(), 4u);
    EXPECT_EQ(t.rows[0], (std::vector<std::string>{"1", "2"}));
    EXPECT_EQ(t.rows[2], (std::vector<std::string>{"5", "6"}));
    EXPECT_EQ(t.log.Count(DiagnosticKind::kTooManyFields), 1) << scalar;
    EXPECT_EQ(t.log.Sorted()[0].line, 4);
  }
}

// Rows one field short of a wider header leave the last column empty, without a diagnostic.
TEST(TokenizerTest, ShortRowsUnderAWiderHeaderAreNotRagged) {
  Dialect d;
  d.short_rows = true;
  for (bool scalar : {false, true}) {
    Table t = Tokenize("1,a\n2,b\n3\n", d, 3, scalar);
    ASSERT_EQ(t.rows.size(), 3u);
    EXPECT_EQ(t.rows[0], (std::vector<std::string>{"1", "a", "<absent>"}));
    EXPECT_EQ(t.log.Count(DiagnosticKind::kTooFewFields), 1) << scalar;
  }
}

TEST(TokenizerTest, UnterminatedQuoteAtEndIsADiagnostic) {
  Dialect d;
  Table t = Tokenize("a,b\nc,\"open\nstill open", d, 2, false);
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_TRUE(t.result.unterminated_quote);
  EXPECT_EQ(t.log.Count(DiagnosticKind::kUnterminatedQuote), 1);
  EXPECT_EQ(t.log.kept()[0].line, 2);
}

TEST(TokenizerTest, CrLineEndingsAndBlankLines) {
  Dialect d;
  d.line_ending = LineEnding::kCr;
  Table t = Tokenize("a,b\r\r1,2\r", d, 2, false);
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.result.blank_lines, 1);
  EXPECT_EQ(t.rows[1], (std::vector<std::string>{"1", "2"}));
}

TEST(TokenizerTest, BackslashEscapes) {
  Dialect d;
  d.escape = '\\';
  Table t = Tokenize("\"a \\\"b\\\" c\",2\n", d, 2, false);
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0][0], "a \"b\" c");
}

// The SIMD tokenizer and the byte-at-a-time one agree on every input.
TEST(TokenizerTest, SimdMatchesScalarOnRandomInput) {
  std::mt19937 rng(42);
  const char alphabet[] = {'a', 'b', ',', ';', '"', '\n', '\r', ' ', '1'};
  for (int trial = 0; trial < 2000; ++trial) {
    std::string text;
    int len = static_cast<int>(rng() % 300);
    for (int i = 0; i < len; ++i) text += alphabet[rng() % sizeof(alphabet)];
    Dialect d;
    d.delimiter = trial % 2 ? ',' : ';';
    int columns = 1 + static_cast<int>(rng() % 4);
    Table simd = Tokenize(text, d, columns, false, 1 + trial % 5);
    Table scalar = Tokenize(text, d, columns, true, 1 + trial % 5);
    ASSERT_EQ(simd.rows, scalar.rows) << "input: " << text;
    ASSERT_EQ(simd.log.Total(), scalar.log.Total()) << "input: " << text;
  }
}

TEST(SplitRecordsTest, Offsets) {
  Dialect d;
  std::vector<int64_t> offsets;
  auto records = SplitRecords("x,y\n\"1\n2\",3\n4,5", d, 10, &offsets);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[1][0], "1\n2");
  EXPECT_EQ(offsets, (std::vector<int64_t>{0, 4, 12}));
}

}  // namespace
}  // namespace datastory::csv
