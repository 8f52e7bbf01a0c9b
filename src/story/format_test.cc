#include "story/format.h"

#include <gtest/gtest.h>

namespace datastory::story {
namespace {

NumberStyle Plain(Audience a = Audience::kExecutive) { return {table::Unit::kNone, "", a}; }
NumberStyle Dollars(Audience a = Audience::kExecutive) { return {table::Unit::kCurrency, "$", a}; }

TEST(FormatTest, Measures) {
  EXPECT_EQ(FormatMeasure(1234567, Dollars()), "$1.23M");
  EXPECT_EQ(FormatMeasure(1234567, Dollars(Audience::kTechnical)), "$1.235M");
  EXPECT_EQ(FormatMeasure(-1234567, Dollars()), "-$1.23M");
  EXPECT_EQ(FormatMeasure(12345, Plain()), "12.3K");
  EXPECT_EQ(FormatMeasure(9999.4, Plain()), "9,999");
  EXPECT_EQ(FormatMeasure(1665.2, Plain()), "1,665");
  EXPECT_EQ(FormatMeasure(123.456, Plain(Audience::kTechnical)), "123.5");
  EXPECT_EQ(FormatMeasure(3.14159, Plain()), "3.14");
  EXPECT_EQ(FormatMeasure(0.000123456, Plain()), "0.000123");
  EXPECT_EQ(FormatMeasure(0, Plain()), "0");
  EXPECT_EQ(FormatMeasure(2.5e9, Plain()), "2.5B");
  EXPECT_EQ(FormatMeasure(45.26, {table::Unit::kPercent, "", Audience::kExecutive}), "45.3%");
  EXPECT_EQ(FormatMeasure(NAN, Plain()), "n/a");
}

TEST(FormatTest, SharesNeverRoundToAllOrNothing) {
  EXPECT_EQ(FormatShare(0.234, Audience::kExecutive), "23%");
  EXPECT_EQ(FormatShare(0.234, Audience::kTechnical), "23.4%");
  EXPECT_EQ(FormatShare(0.9988, Audience::kExecutive), "99.88%");
  EXPECT_EQ(FormatShare(-0.117, Audience::kExecutive), "-12%");  // a margin below zero
  EXPECT_EQ(FormatShare(1.0, Audience::kExecutive), "100%");
  EXPECT_EQ(FormatShare(0.004, Audience::kExecutive), "0.4%");
  EXPECT_EQ(FormatShare(0.00004, Audience::kExecutive), "0.004%");
  EXPECT_EQ(FormatPercent(674.2, Audience::kExecutive), "674%");
  EXPECT_EQ(FormatPercent(10827.8, Audience::kExecutive), "10,828%");
}

TEST(FormatTest, Words) {
  EXPECT_EQ(ShareInWords(0.74, Audience::kGeneral), "about 3 in 4");
  EXPECT_EQ(ShareInWords(0.51, Audience::kGeneral), "about half");
  EXPECT_EQ(ShareInWords(0.21, Audience::kGeneral), "about 1 in 5");
  EXPECT_EQ(ShareInWords(0.74, Audience::kExecutive), "74%");
  EXPECT_EQ(FormatRatio(2.44), "2.4 times");
  EXPECT_EQ(FormatRatio(134.2), "134 times");
  EXPECT_EQ(FormatCoefficient(-0.3141, Audience::kExecutive), "-0.31");
  EXPECT_EQ(FormatCoefficient(-0.0001, Audience::kExecutive), "0.00");
  EXPECT_EQ(FormatPValue(0.0004), "p < 0.001");
  EXPECT_EQ(FormatPValue(0.0234), "p = 0.023");
  EXPECT_EQ(FormatCount(1234567), "1,234,567");
}

}  // namespace
}  // namespace datastory::story
