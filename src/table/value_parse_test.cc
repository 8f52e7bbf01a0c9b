#include "table/value_parse.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <random>
#include <string>

namespace datastory::table {
namespace {

TEST(NullTokenTest, Tokens) {
  for (const char* v : {"", "NA", "N/A", "null", "NULL", "-", "NaN", "None", "  ", "\\N"}) {
    EXPECT_TRUE(IsNullToken(v)) << v;
  }
  for (const char* v : {"0", "n", "Nan Goldin", "--", "\\", "\\n", "\\Nx"}) {
    EXPECT_FALSE(IsNullToken(v)) << v;
  }
}

TEST(ParseNumberTest, Formats) {
  NumberFormat us{'.', ','};
  NumberFormat eu{',', '.'};
  EXPECT_EQ(*ParseNumber("1,234.5", us), 1234.5);
  EXPECT_EQ(*ParseNumber("1.234,5", eu), 1234.5);
  EXPECT_EQ(*ParseNumber("3,50", eu), 3.5);
  NumberTraits t;
  EXPECT_EQ(*ParseNumber("$1,200", us, &t), 1200);
  EXPECT_TRUE(t.currency);
  EXPECT_EQ(t.currency_symbol, "$");
  EXPECT_EQ(*ParseNumber("\xE2\x82\xAC"
                         "3.50",
                         us),
            3.5);
  EXPECT_EQ(*ParseNumber("3,50 \xE2\x82\xAC", eu), 3.5);
  t = {};
  EXPECT_EQ(*ParseNumber("12%", us, &t), 12);
  EXPECT_TRUE(t.percent);
  EXPECT_EQ(*ParseNumber("(300)", us), -300);
  EXPECT_EQ(*ParseNumber("-$5", us), -5);
  EXPECT_DOUBLE_EQ(*ParseNumber("1e-3", us), 0.001);
  EXPECT_TRUE(std::isinf(*ParseNumber("-inf", us)));
  for (const char* bad : {"1,23", "12,34.5", "abc", "1.2.3", "$", "1e", "--5", "0x10"}) {
    EXPECT_FALSE(ParseNumber(bad, us).has_value()) << bad;
  }
}

// The inline path rounds exactly as strtod does, and declines what it does not handle.
TEST(ParseNumberTest, SimplePathIsCorrectlyRounded) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200000; ++i) {
    int digits = 1 + static_cast<int>(rng() % 15);
    int point = static_cast<int>(rng() % (digits + 1));
    std::string text = rng() % 2 ? "-" : "";
    for (int d = 0; d < digits; ++d) {
      if (d == point && d > 0) text += '.';
      text += static_cast<char>('0' + rng() % 10);
    }
    double value;
    NumberTraits traits;
    ASSERT_TRUE(ParseSimpleNumber(text, '.', &value, &traits)) << text;
    EXPECT_EQ(value, std::strtod(text.c_str(), nullptr)) << text;
    EXPECT_EQ(*ParseNumber(text, NumberFormat{}), value) << text;
  }
  double value;
  NumberTraits traits;
  for (const char* declined :
       {"", "-", ".", "12.", "1,234", "$5", "1e5", " 5", "1234567890123456"}) {
    EXPECT_FALSE(ParseSimpleNumber(declined, '.', &value, &traits)) << declined;
  }
  EXPECT_EQ(*ParseNumber("1234567890123456", NumberFormat{}), 1234567890123456.0);
  EXPECT_EQ(*ParseNumber("12.", NumberFormat{}), 12.0);
}

TEST(ParseNumberTest, LeadingZerosAreFlagged) {
  NumberTraits t;
  EXPECT_EQ(*ParseNumber("02134", NumberFormat{}, &t), 2134);
  EXPECT_TRUE(t.leading_zero);
  t = {};
  ParseNumber("0.5", NumberFormat{}, &t);
  EXPECT_FALSE(t.leading_zero);
  EXPECT_TRUE(t.fraction);
}

// Past 15 digits the simple shape takes another path; its traits are the same. Each starts set,
// so a trait the path leaves alone fails the test.
TEST(ParseNumberTest, LongNumbersKeepTheirTraits) {
  const NumberTraits set{.fraction = true, .leading_zero = true};
  NumberTraits t;
  EXPECT_DOUBLE_EQ(*ParseNumber("0.181526642525569", NumberFormat{}, &t), 0.181526642525569);
  EXPECT_TRUE(t.fraction);
  t = set;
  ParseNumber("0.181526642525569", NumberFormat{}, &t);
  EXPECT_FALSE(t.leading_zero);
  t = {};
  ParseNumber("-82544000000000707.52", NumberFormat{}, &t);
  EXPECT_TRUE(t.fraction);
  t = {};
  ParseNumber("0012345678901234567", NumberFormat{}, &t);
  EXPECT_TRUE(t.leading_zero);
  t = set;
  ParseNumber("0012345678901234567", NumberFormat{}, &t);
  EXPECT_FALSE(t.fraction);
  t = set;
  ParseNumber("1234567890123456789", NumberFormat{}, &t);
  EXPECT_FALSE(t.fraction);
  EXPECT_FALSE(t.leading_zero);
}

TEST(ParseDateTest, Forms) {
  auto day = [](int y, int m, int d) { return DaysFromCivil(y, m, d) * 86400; };
  EXPECT_EQ(ParseDate("2024-01-31", DateOrder::kYmd)->seconds, day(2024, 1, 31));
  auto t = ParseDate("2024/01/31 04:00:00", DateOrder::kYmd);
  EXPECT_EQ(t->seconds, day(2024, 1, 31) + 4 * 3600);
  EXPECT_TRUE(t->has_time);
  EXPECT_EQ(ParseDate("2024-01-31T04:00:00+02:00", DateOrder::kYmd)->seconds,
            day(2024, 1, 31) + 2 * 3600);
  EXPECT_EQ(ParseDate("2024-01-31T04:00:00.250Z", DateOrder::kYmd)->seconds,
            day(2024, 1, 31) + 4 * 3600);
  EXPECT_EQ(ParseDate("1/31/2024", DateOrder::kMdy)->seconds, day(2024, 1, 31));
  EXPECT_EQ(ParseDate("31/01/2024", DateOrder::kDmy)->seconds, day(2024, 1, 31));
  EXPECT_EQ(ParseDate("31.01.2024", DateOrder::kDmy)->seconds, day(2024, 1, 31));
  EXPECT_EQ(ParseDate("Jan 1 2000", DateOrder::kMonthDY)->seconds, day(2000, 1, 1));
  EXPECT_EQ(ParseDate("January 15, 2000", DateOrder::kMonthDY)->seconds, day(2000, 1, 15));
  EXPECT_EQ(ParseDate("01-Jan-2000", DateOrder::kDMonthY)->seconds, day(2000, 1, 1));
  EXPECT_EQ(ParseDate("2024-01", DateOrder::kYearMonth)->seconds, day(2024, 1, 1));
  EXPECT_EQ(ParseDate("Mar 2024", DateOrder::kMonthYear)->seconds, day(2024, 3, 1));
  EXPECT_EQ(ParseDate("1/31/24 3:05 PM", DateOrder::kMdy)->seconds,
            day(2024, 1, 31) + 15 * 3600 + 300);
  // Quarters, by the first day of the quarter, and dates as eight digits.
  for (const char* q : {"1974Q2", "1974-Q2", "1974 Q2", "1974q2"}) {
    EXPECT_EQ(ParseDate(q, DateOrder::kYearQuarter)->seconds, day(1974, 4, 1)) << q;
  }
  for (const char* q : {"Q4 1974", "Q4-1974", "q4/1974"}) {
    EXPECT_EQ(ParseDate(q, DateOrder::kQuarterYear)->seconds, day(1974, 10, 1)) << q;
  }
  EXPECT_EQ(ParseDate("19580329", DateOrder::kYmdCompact)->seconds, day(1958, 3, 29));
  for (const char* bad : {"1974Q5", "1974Q0", "1974Q12", "Q1 74", "19741"}) {
    EXPECT_FALSE(ParseDate(bad, DateOrder::kYearQuarter)) << bad;
    EXPECT_FALSE(ParseDate(bad, DateOrder::kQuarterYear)) << bad;
  }
  for (const char* bad : {"19580230", "17991231", "21010101", "1958032", "195803291"}) {
    EXPECT_FALSE(ParseDate(bad, DateOrder::kYmdCompact)) << bad;
  }
  // A comma between the date and its time, as some locales write it.
  auto comma = ParseDate("1/2/2023, 12:33 PM", DateOrder::kMdy);
  ASSERT_TRUE(comma);
  EXPECT_EQ(comma->seconds, day(2023, 1, 2) + 12 * 3600 + 33 * 60);
  EXPECT_TRUE(comma->has_time);
  EXPECT_FALSE(ParseDate("1/2/2023,", DateOrder::kMdy));
  EXPECT_FALSE(ParseDate("1/2/2023, noon", DateOrder::kMdy));
  for (const char* bad :
       {"2024-02-30", "2024-13-01", "31/01/2024", "2024-01-31 25:00", "20240131"}) {
    EXPECT_FALSE(ParseDate(bad, bad[2] == '/' ? DateOrder::kMdy : DateOrder::kYmd)) << bad;
  }
}

// Zone names, two-digit years first, two forms in one column, decimal years.
TEST(ParseDateTest, ZonesShortYearsMixedFormsAndDecimalYears) {
  auto day = [](int y, int m, int d) { return DaysFromCivil(y, m, d) * 86400; };
  EXPECT_EQ(ParseDate("2024-01-31 04:00:00 UTC", DateOrder::kYmd)->seconds,
            day(2024, 1, 31) + 4 * 3600);
  EXPECT_EQ(ParseDate("2024-01-31 04:00 EST", DateOrder::kYmd)->seconds,
            day(2024, 1, 31) + 9 * 3600);
  EXPECT_EQ(ParseDate("1/31/2024 10:00 PM PDT", DateOrder::kMdy)->seconds,
            day(2024, 2, 1) + 5 * 3600);
  EXPECT_EQ(ParseDate("2024-07-01 12:00 CEST", DateOrder::kYmd)->seconds,
            day(2024, 7, 1) + 10 * 3600);
  EXPECT_FALSE(ParseDate("2024-01-31 04:00 IST", DateOrder::kYmd));  // three zones share it
  EXPECT_FALSE(ParseDate("2024-01-31 04:00 CST", DateOrder::kYmd));  // the US's, or China's
  EXPECT_FALSE(ParseDate("2024-01-31 04:00 XYZ", DateOrder::kYmd));

  EXPECT_EQ(ParseDate("90.01.31", DateOrder::kYmdShort)->seconds, day(1990, 1, 31));
  EXPECT_EQ(ParseDate("05-12-01", DateOrder::kYmdShort)->seconds, day(2005, 12, 1));
  EXPECT_FALSE(ParseDate("90.13.01", DateOrder::kYmdShort));
  EXPECT_FALSE(ParseDate("1990.01.31", DateOrder::kYmdShort));

  EXPECT_EQ(ParseDate("2024-01-31", DateOrder::kYmdOrMdy)->seconds, day(2024, 1, 31));
  EXPECT_EQ(ParseDate("2/1/2024", DateOrder::kYmdOrMdy)->seconds, day(2024, 2, 1));
  EXPECT_EQ(ParseDate("2/1/2024", DateOrder::kYmdOrDmy)->seconds, day(2024, 1, 2));

  EXPECT_EQ(ParseDate("2000.0833", DateOrder::kDecimalYearMonth)->seconds, day(2000, 2, 1));
  EXPECT_EQ(ParseDate("2000.0417", DateOrder::kDecimalYearMonth)->seconds, day(2000, 1, 1));
  EXPECT_EQ(ParseDate("2000.9583", DateOrder::kDecimalYearMonth)->seconds, day(2000, 12, 1));
  EXPECT_EQ(ParseDate("2001", DateOrder::kDecimalYearMonth)->seconds, day(2001, 1, 1));
  EXPECT_EQ(ParseDate("2001.5", DateOrder::kDecimalYear)->seconds, day(2001, 7, 2));
  EXPECT_EQ(ParseDate("2000.5", DateOrder::kDecimalYear)->seconds, day(2000, 7, 2));  // leap
  EXPECT_FALSE(ParseDate("999.5", DateOrder::kDecimalYear));
  EXPECT_FALSE(ParseDate("2000.5x", DateOrder::kDecimalYear));
}

TEST(ParseTimeOfDayTest, FormsAndLabels) {
  EXPECT_EQ(ParseTimeOfDay("05:40"), 5 * 3600 + 40 * 60);
  EXPECT_EQ(ParseTimeOfDay("5:40"), 5 * 3600 + 40 * 60);
  EXPECT_EQ(ParseTimeOfDay("21:30:15"), 21 * 3600 + 30 * 60 + 15);
  EXPECT_EQ(ParseTimeOfDay("21:30:15.250"), 21 * 3600 + 30 * 60 + 15);
  EXPECT_EQ(ParseTimeOfDay("9:05 PM"), 21 * 3600 + 5 * 60);
  EXPECT_EQ(ParseTimeOfDay("12:00 am"), 0);
  for (const char* bad :
       {"24:00", "12:60", "7", "05:4", "13:00 PM", "2024-01-31", "5:40x", "1:2:3"}) {
    EXPECT_FALSE(ParseTimeOfDay(bad)) << bad;
  }
  EXPECT_EQ(FormatTimeOfDay(5 * 3600 + 40 * 60), "05:40");
  EXPECT_EQ(FormatTimeOfDay(21 * 3600 + 30 * 60 + 15), "21:30:15");
  EXPECT_EQ(HourLabel(21 * 3600 + 30 * 60 + 15), "21:00");
}

// The fixed-position reader of ISO dates agrees with the general one (reached here through a
// leading space) on valid and invalid values alike.
TEST(ParseDateTest, IsoFastPathMatchesGeneralPath) {
  for (int y : {1, 1969, 2000, 2023, 2024, 9999}) {
    for (int m = 0; m <= 13; ++m) {
      for (int d : {0, 1, 15, 28, 29, 30, 31, 32}) {
        for (const char* time : {"", " 00:00:00", "T23:59:59", " 24:00:00", " 12:60:00"}) {
          char buf[40];
          std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d%s", y, m, d, time);
          auto fast = ParseDate(buf, DateOrder::kYmd);
          auto general = ParseDate(std::string(" ") + buf, DateOrder::kYmd);
          ASSERT_EQ(fast.has_value(), general.has_value()) << buf;
          if (fast) {
            EXPECT_EQ(fast->seconds, general->seconds) << buf;
            EXPECT_EQ(fast->has_time, general->has_time) << buf;
          }
        }
      }
    }
  }
}

TEST(FormatTimestampTest, RoundTrips) {
  EXPECT_EQ(FormatTimestamp(DaysFromCivil(1969, 12, 31) * 86400, false), "1969-12-31");
  EXPECT_EQ(FormatTimestamp(DaysFromCivil(2024, 2, 29) * 86400 + 3661, true),
            "2024-02-29 01:01:01");
}

TEST(ParseYesNoTest, WordsAndDigits) {
  EXPECT_EQ(ParseYesNo("Yes"), true);
  EXPECT_EQ(ParseYesNo("false"), false);
  EXPECT_EQ(ParseYesNo(" 1 "), true);
  EXPECT_EQ(ParseYesNo("0"), false);
  EXPECT_FALSE(ParseYesNo("2").has_value());
  EXPECT_FALSE(ParseYesNo("basic").has_value());
}

}  // namespace
}  // namespace datastory::table
