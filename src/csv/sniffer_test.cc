#include "csv/sniffer.h"

#include <gtest/gtest.h>

namespace datastory::csv {
namespace {

Result<SniffResult> Sniff(std::string text, SniffOptions options = {}) {
  auto source = MemorySource(std::move(text), "t.csv");
  return SniffDialect(*source, options);
}

TEST(SnifferTest, Delimiters) {
  EXPECT_EQ(Sniff("a,b,c\n1,2,3\n4,5,6\n")->dialect.delimiter, ',');
  EXPECT_EQ(Sniff("a;b;c\n1,5;2,5;3\n4;5;6\n")->dialect.delimiter, ';');
  EXPECT_EQ(Sniff("a\tb\n1\t2\n")->dialect.delimiter, '\t');
  EXPECT_EQ(Sniff("a|b|c\n1|2|3\n")->dialect.delimiter, '|');
}

// A space separates fields only when no other delimiter does: names and places with spaces in
// a comma-separated file stay whole.
TEST(SnifferTest, SpaceDelimitedOnlyWhenNothingElseSplits) {
  auto spaced = Sniff("a b c\n1 2 3\n4 5 6\n7 \"x y\" 9\n");
  ASSERT_TRUE(spaced.ok());
  EXPECT_EQ(spaced->dialect.delimiter, ' ');
  EXPECT_EQ(spaced->columns, 3);
  EXPECT_EQ(DelimiterName(' '), "space");
  auto names = Sniff("name,city\nJohn Smith,New York\nJane Doe,Los Angeles\nAl Po,San Jose\n");
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(names->dialect.delimiter, ',');
  EXPECT_EQ(names->columns, 2);
  for (const char* text :
       {"name\nJohn Smith\nJane Doe\nAl Po\n", "full name\nJohn Smith\nJane Doe\nAl Po\n"}) {
    auto one_column = Sniff(text);
    ASSERT_TRUE(one_column.ok());
    EXPECT_EQ(one_column->columns, 1) << text;
  }
  // Two columns split by a space when one of them is a number in every row.
  for (const char* text : {"x y\n1 a\n2 b\n3 c\n", "\na 1\nb 2\nc 3\n", "123 123\n123 123\n"}) {
    auto two = Sniff(text);
    ASSERT_TRUE(two.ok());
    EXPECT_EQ(two->dialect.delimiter, ' ') << text;
    EXPECT_EQ(two->columns, 2) << text;
  }
  auto blank_then_header = Sniff("\nx y\n1 a\n2 b\n3 c\n");
  ASSERT_TRUE(blank_then_header.ok());
  EXPECT_EQ(blank_then_header->columns, 2);
  auto words = Sniff("full name\nJohn Smith\nJane Doe\nAl 2nd\n");
  ASSERT_TRUE(words.ok());
  EXPECT_EQ(words->columns, 1);
}

TEST(SnifferTest, CandidatesAreScoredAndKept) {
  auto s = Sniff("a;b;c\n1,5;2,5;3\n4;5;6\n");
  ASSERT_TRUE(s.ok());
  ASSERT_GE(s->candidates.size(), 4u);
  EXPECT_EQ(s->candidates[0].delimiter, ';');
  EXPECT_EQ(s->candidates[0].columns, 3);
  EXPECT_DOUBLE_EQ(s->candidates[0].consistency, 1.0);
  EXPECT_LT(s->candidates[1].score, s->candidates[0].score);
}

TEST(SnifferTest, UserDelimiterWins) {
  SniffOptions options;
  options.overrides.delimiter = '|';
  auto s = Sniff("a,b\n1,2\n", options);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->dialect.delimiter, '|');
  EXPECT_EQ(s->columns, 1);
}

TEST(SnifferTest, LineEndings) {
  EXPECT_EQ(Sniff("a,b\n1,2\n")->dialect.line_ending, LineEnding::kLf);
  EXPECT_EQ(Sniff("a,b\r\n1,2\r\n")->dialect.line_ending, LineEnding::kCrLf);
  EXPECT_EQ(Sniff("a,b\r1,2\r")->dialect.line_ending, LineEnding::kCr);
}

// Two delimiters that split the rows alike: the one that splits the header too is the one.
TEST(SnifferTest, TiesGoToTheReadingThatKeepsTheHeader) {
  auto s = Sniff("commas;periods\n1,1;1.1\n0,25;0.25\n1,53e4;1.53e4\n-1,5;-1.5\n");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->dialect.delimiter, ';');
  EXPECT_EQ(s->dialect.skipped_lines, 0);
  EXPECT_EQ(s->records[0], (std::vector<std::string>{"commas", "periods"}));
}

TEST(SnifferTest, SkipsTitleAndCommentLines) {
  auto s = Sniff("Quarterly sales report\n# exported 2024-02-01\nregion,sales\nN,1\nS,2\nE,3\n");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->dialect.skipped_lines, 2);
  EXPECT_EQ(s->records[0], (std::vector<std::string>{"region", "sales"}));
  EXPECT_EQ(s->record_lines[0], 3);
  ASSERT_EQ(s->skipped_lines.size(), 2u);
  EXPECT_EQ(s->skipped_lines[0], "Quarterly sales report");
}

// `#` lines among the rows are comments when they are few and one of them does not have the
// table's width (or the file opened with one); a first column of `#` colours is data.
TEST(SnifferTest, CommentLinesAmongTheRows) {
  auto s = Sniff("# exported\nregion,sales\nN,1\n# the south was late, \"estimated\"\nS,2\nE,3\n");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->dialect.comment, '#');
  EXPECT_FALSE(s->dialect.trailing_comments);
  EXPECT_EQ(s->dialect.skipped_lines, 1);
  ASSERT_EQ(s->records.size(), 4u);
  EXPECT_EQ(s->records[2], (std::vector<std::string>{"S", "2"}));
  EXPECT_EQ(s->record_lines[2], 5);

  auto ragged = Sniff("region,sales\nN,1\nS,2\n# a note\nE,3\nW,4\n");
  ASSERT_TRUE(ragged.ok());
  EXPECT_EQ(ragged->dialect.comment, '#');

  auto colours = Sniff("colour,name\n#ff0000,red\n#00ff00,green\nblue,blue\n#000000,black\n");
  ASSERT_TRUE(colours.ok());
  EXPECT_EQ(colours->dialect.comment, '\0');
  EXPECT_EQ(colours->records[1][0], "#ff0000");
  auto one_colour = Sniff("name,colour\nred,#ff0000\n#00ff00,green\nblue,#0000ff\nx,y\n");
  ASSERT_TRUE(one_colour.ok());
  EXPECT_EQ(one_colour->dialect.comment, '\0');  // a `#` line of the table's width is a row

  // More notes than rows, none of the table's width: still notes.
  auto notes = Sniff("x,y,z\n# note\n1,2,3\n# note\n# note\n4,5,6\n# note\n");
  ASSERT_TRUE(notes.ok());
  EXPECT_EQ(notes->dialect.comment, '#');
  ASSERT_EQ(notes->records.size(), 3u);
  EXPECT_EQ(notes->records[2], (std::vector<std::string>{"4", "5", "6"}));
}

// Notes after the last value (`2.5  # estimated`) end the record when the file writes them so
// on several rows and cutting them keeps every such row at the table's width.
TEST(SnifferTest, TrailingComments) {
  auto s = Sniff(
      "# station readings\nstation,temp\nA,21.5  # estimated\nB,19.0\nC,20.1 # late, re-read\n");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->dialect.comment, '#');
  EXPECT_TRUE(s->dialect.trailing_comments);
  EXPECT_EQ(s->records[1], (std::vector<std::string>{"A", "21.5"}));
  EXPECT_EQ(s->records[3], (std::vector<std::string>{"C", "20.1"}));
  // An address with a number sign is a value, not a note.
  auto address = Sniff("name,address\nA,Main St #5\nB,Elm St\nC,Oak Ave #12\n");
  ASSERT_TRUE(address.ok());
  EXPECT_EQ(address->dialect.comment, '\0');
  EXPECT_EQ(address->records[1][1], "Main St #5");
  // One note that runs past the delimiter (`1;3 # five;7`), in a file with comment lines: cut
  // there, every row has one width.
  auto once = Sniff("# exported\na;b\n1;3 # five;7\n6;7\n2;2\n");
  ASSERT_TRUE(once.ok());
  EXPECT_EQ(once->columns, 2);
  EXPECT_TRUE(once->dialect.trailing_comments);
  EXPECT_EQ(once->records[1], (std::vector<std::string>{"1", "3"}));
  // Or right after the value, in a file with comment lines.
  auto unspaced = Sniff("# exported\na;b#12;#\n1;3#5;7\n6;7\n2;2\n");
  ASSERT_TRUE(unspaced.ok());
  EXPECT_EQ(unspaced->columns, 2);
  EXPECT_TRUE(unspaced->dialect.unspaced_comments);
  EXPECT_EQ(unspaced->records[0], (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(unspaced->records[1], (std::vector<std::string>{"1", "3"}));
  // Without comment lines, a `#` in a value stays text.
  auto plain = Sniff("a;b\n1;3#5;7\n6;7\n2;2\n");
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->dialect.unspaced_comments);
}

// `'` quotes with backslash escapes, when the file writes them so; an apostrophe inside a
// double-quoted field never makes `'` the quote.
TEST(SnifferTest, SingleQuotesWithBackslashEscapes) {
  auto s =
      Sniff("id,name,note\n1,'O\\'Brien, J','said \\'hi\\''\n2,'Smith','plain'\n3,'Lee, A','x'\n");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->dialect.quote, '\'');
  EXPECT_EQ(s->dialect.escape, '\\');
  EXPECT_EQ(s->columns, 3);
  EXPECT_EQ(s->records[1], (std::vector<std::string>{"1", "O'Brien, J", "said 'hi'"}));
  for (const char* text :
       {"id,name,city\n1,\"O'Brien, J\",Cork\n2,\"D'Arcy\",Paris\n3,\"Smith\",Rome\n",
        "id,path,who\n1,\"C:\\Users\\O'Brien\",a\n2,\"D'Arcy, K\",b\n3,\"it's, fine\",c\n",
        // Every line splits evenly on `,` read with `'` quotes, but each `'` is inside `"…"`.
        "struct_col\n\"{'a': 1, 'b': 2}\"\n\"{'a': 3, 'b': 4}\"\n"}) {
    auto d = Sniff(text);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->dialect.quote, '"') << text;
    EXPECT_EQ(d->columns, text[0] == 's' ? 1 : 3) << text;
  }
}

// Lines after the table (a totals row, notes, a source) are no rows; the reader stops where they
// begin. A row with missing values, or a time of day, in its first cell stays a row.
TEST(SnifferTest, FooterLines) {
  const std::string table = "region,q1,q2\nNorth,10,20\nSouth,30,40\nEast,5,6\n";
  auto s = Sniff(table + "Total,45,66\n\nSource: company ledger, 2024\n* provisional\n");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->dialect.footer_lines, 3);
  EXPECT_EQ(s->dialect.footer_offset, static_cast<int64_t>(table.size()));
  EXPECT_EQ(s->footer_lines, (std::vector<std::string>{
                                 "Total,45,66", "Source: company ledger, 2024", "* provisional"}));
  ASSERT_EQ(s->records.size(), 4u);
  EXPECT_EQ(s->records.back()[0], "East");

  for (const std::string& last : {"New Zealand,,\n", "10:30,,\n", "Totally,1,2\n", "Total,,\n"}) {
    auto kept = Sniff(table + last);
    ASSERT_TRUE(kept.ok());
    EXPECT_EQ(kept->dialect.footer_offset, -1) << last;
    EXPECT_EQ(kept->records.size(), 5u) << last;
  }
  // A header and a totals row alone: the totals row is the one row.
  EXPECT_EQ(Sniff("region,q1\nTotal,5\n")->dialect.footer_offset, -1);

  // A source that holds only a file's head (a preview) has no footer to find.
  auto head = PrefixSource(table + "South,30,40\nNor", 200000, "p.csv");
  auto preview = SniffDialect(*head, SniffOptions{});
  ASSERT_TRUE(preview.ok());
  EXPECT_EQ(preview->dialect.footer_offset, -1);

  // In a file larger than the piece read from its end, found in that piece.
  std::string big = "id,value\n";
  for (int i = 0; i < 20000; ++i) big += std::to_string(i) + "," + std::to_string(i % 7) + "\n";
  const size_t end = big.size();
  auto far = Sniff(big + "Grand total,59994\nNote: made up\n", SniffOptions{.sample_bytes = 4096});
  ASSERT_TRUE(far.ok());
  EXPECT_EQ(far->dialect.footer_offset, static_cast<int64_t>(end));
  EXPECT_EQ(far->dialect.footer_lines, 2);
}

// A header one field short of rows that all end with a delimiter is the header, not a title
// line above the table; a short line above rows that do not is still a title.
TEST(SnifferTest, HeaderOneFieldShortOfRowsWithATrailingDelimiter) {
  auto s = Sniff("c1,c2\n1,2,\n3,4,\n5,6,\n");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->dialect.skipped_lines, 0);
  EXPECT_EQ(s->records[0], (std::vector<std::string>{"c1", "c2"}));
  // The empty field after the rows' last delimiter is no column.
  EXPECT_TRUE(s->dialect.trailing_delimiter);
  EXPECT_EQ(s->columns, 2);
  EXPECT_EQ(s->records[1], (std::vector<std::string>{"1", "2"}));
  // Nor when the header ends with one too; a last column with values is a column.
  auto both = Sniff("c1,c2,\n1,2,\n3,4,\n");
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->columns, 2);
  EXPECT_EQ(both->records[0], (std::vector<std::string>{"c1", "c2"}));
  auto filled = Sniff("c1,c2,c3\n1,2,\n3,4,5\n");
  ASSERT_TRUE(filled.ok());
  EXPECT_FALSE(filled->dialect.trailing_delimiter);
  EXPECT_EQ(filled->columns, 3);
  auto title = Sniff("Sales\nregion,sales\nN,1\nS,2\n");
  ASSERT_TRUE(title.ok());
  EXPECT_EQ(title->dialect.skipped_lines, 1);
}

// A header one name wider than the rows is the header: its last column is empty in every row,
// and those rows are not ragged. An empty last name is a trailing delimiter's: no column.
TEST(SnifferTest, HeaderOneNameWiderThanTheRows) {
  auto s = Sniff("# gunk at the top\none,two,three,four\n1,a,alice\n2,b,bob\n");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->dialect.short_rows);
  EXPECT_EQ(s->columns, 4);
  EXPECT_EQ(s->records[0], (std::vector<std::string>{"one", "two", "three", "four"}));
  EXPECT_EQ(s->records[1], (std::vector<std::string>{"1", "a", "alice", ""}));
  auto trailing = Sniff("id,name,lat,lon,\n1,x,0,0\n2,y,1,1\n");
  ASSERT_TRUE(trailing.ok());
  EXPECT_FALSE(trailing->dialect.short_rows);
  EXPECT_EQ(trailing->columns, 4);
  EXPECT_EQ(trailing->records[0], (std::vector<std::string>{"id", "name", "lat", "lon"}));
  // A comment line among the rows, or a blank line under the header, changes nothing.
  for (const char* text : {"one,two,three,four\n1,a,alice\n# note\n2,b,bob\n",
                           "one,two,three,four\n\n1,a,alice\n2,b,bob\n"}) {
    auto wider = Sniff(text);
    ASSERT_TRUE(wider.ok());
    EXPECT_EQ(wider->columns, 4) << text;
    EXPECT_EQ(wider->records[0][3], "four") << text;
  }
  // A title line above a header of the rows' width stays a title.
  auto title = Sniff("Sales by region and year,2024,final\nregion,sales\nN,1\nS,2\n");
  ASSERT_TRUE(title.ok());
  EXPECT_EQ(title->columns, 2);
  EXPECT_EQ(title->dialect.skipped_lines, 1);
}

// A rule under the header (`----` in every field) is no row; a row of values is kept.
TEST(SnifferTest, RuleLineUnderTheHeader) {
  auto s = Sniff("foo\tbar\n----\t---\n\n1\tx\n2\ty\n");
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->records.size(), 3u);
  EXPECT_EQ(s->records[1], (std::vector<std::string>{"1", "x"}));
  EXPECT_EQ(s->record_lines[1], 4);
  auto dashes = Sniff("a,b\n--,--\n1,2\n");
  ASSERT_TRUE(dashes.ok());
  EXPECT_EQ(dashes->records.size(), 3u);  // `--` may be a missing value: kept
  // Without a header, the line is read as a row, so the sample keeps it too.
  SniffOptions no_header;
  no_header.overrides.header = false;
  EXPECT_EQ(Sniff("a,b\n---,---\n1,2\n", no_header)->records.size(), 3u);
  EXPECT_EQ(Sniff("1,2\n---,---\n3,4\n")->records.size(), 3u);
}

// A spreadsheet export's title in the first cell of a row as wide as the table, above the
// header (with or without a blank line between), is a line above the table.
TEST(SnifferTest, TitleRowOfASpreadsheetExport) {
  for (const char* text : {"Quarterly report,,,\n\nregion,q1,q2,q3\nN,1,2,3\nS,4,5,6\n",
                           "Quarterly report,,,\nregion,q1,q2,q3\nN,1,2,3\nS,4,,6\n"}) {
    auto s = Sniff(text);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s->records[0], (std::vector<std::string>{"region", "q1", "q2", "q3"})) << text;
    ASSERT_FALSE(s->skipped_lines.empty());
    EXPECT_EQ(s->skipped_lines[0], "Quarterly report,,,");
  }
}

TEST(SnifferTest, BackslashEscapeWhenItFitsBetter) {
  auto s = Sniff("a,b\n\"x \\\" y, z\",1\n\"p \\\"q\",2\n\"r\",3\n");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->dialect.escape, '\\');
}

TEST(SnifferTest, EncodingsTranscoded) {
  std::string le("\xFF\xFE", 2);
  std::u16string text = u"name,city\nA,K\u00f6ln\n";
  for (char16_t ch : text) le += static_cast<char>(ch & 0xFF), le += static_cast<char>(ch >> 8);
  auto s = Sniff(le);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->dialect.encoding, Encoding::kUtf16Le);
  EXPECT_EQ(s->records[1][1], "K\xC3\xB6ln");
}

TEST(SnifferTest, EmptyAndBlankFiles) {
  EXPECT_NE(Sniff("").status().message().find("empty"), std::string::npos);
  EXPECT_NE(Sniff("\n\n \n").status().message().find("blank"), std::string::npos);
}

// A header wider than the first sample: the sample grows until it holds a data record too,
// instead of reading as "only a header row".
TEST(SnifferTest, SampleGrowsPastAWideFirstRecord) {
  std::string header, row;
  for (int c = 0; c < 100; ++c) {
    header += (c ? "," : "") + std::string(100, 'n') + std::to_string(c);
    row += (c ? "," : "") + std::to_string(c);
  }
  auto source = MemorySource(header + "\n" + row + "\n" + row + "\n");
  SniffOptions options;
  options.sample_bytes = 4096;  // less than the header
  auto sniff = SniffDialect(*source, options);
  ASSERT_TRUE(sniff.ok()) << sniff.status().message();
  EXPECT_EQ(sniff->columns, 100);
  EXPECT_GE(sniff->records.size(), 2u);
  Limits limits;
  limits.max_record_bytes = 8192;
  auto over = SniffDialect(*source, options, limits);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().reason(), kRecordTooLong);
  EXPECT_NE(over.status().message().find("line 1: a record longer than"), std::string::npos)
      << over.status().message();
}

TEST(SnifferTest, ColumnAndFileLimits) {
  auto source = MemorySource("a,b,c\n1,2,3\n");
  Limits limits;
  limits.max_columns = 2;
  auto wide = SniffDialect(*source, {}, limits);
  ASSERT_FALSE(wide.ok());
  EXPECT_EQ(wide.status().reason(), kTooManyColumns);
  EXPECT_NE(wide.status().message().find("3 columns, over the limit of 2"), std::string::npos);
  limits = {};
  limits.max_file_bytes = 5;
  auto big = SniffDialect(*source, {}, limits);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().reason(), kFileTooLarge);
}

}  // namespace
}  // namespace datastory::csv
