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

TEST(SnifferTest, SkipsTitleAndCommentLines) {
  auto s = Sniff("Quarterly sales report\n# exported 2024-02-01\nregion,sales\nN,1\nS,2\nE,3\n");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->dialect.skipped_lines, 2);
  EXPECT_EQ(s->records[0], (std::vector<std::string>{"region", "sales"}));
  EXPECT_EQ(s->record_lines[0], 3);
  ASSERT_EQ(s->skipped_lines.size(), 2u);
  EXPECT_EQ(s->skipped_lines[0], "Quarterly sales report");
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

}  // namespace
}  // namespace datastory::csv
