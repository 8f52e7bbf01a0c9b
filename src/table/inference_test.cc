#include "table/inference.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace datastory::table {
namespace {

ColumnSchema Guess(std::vector<std::string_view> values, std::string_view name = "c",
                   char delimiter = ',') {
  return GuessColumn(name, values, delimiter, InferenceOptions{});
}

TEST(GuessColumnTest, Types) {
  EXPECT_EQ(Guess({"1", "2", "NA", "-3"}).type, ColumnType::kInteger);
  EXPECT_EQ(Guess({"1", "2.5", ""}).type, ColumnType::kFloat);
  EXPECT_EQ(Guess({"true", "FALSE", "yes"}).type, ColumnType::kBoolean);
  EXPECT_EQ(Guess({"2024-01-31", "2024-02-01"}).type, ColumnType::kDate);
  EXPECT_EQ(Guess({"2015/01/01 01:00:00", "2015/01/01 02:00:00"}).type, ColumnType::kDatetime);
  EXPECT_EQ(Guess({"Jan 1 2000", "Feb 1 2000"}).type, ColumnType::kDate);
  // Letters are yes/no only when both answers occur.
  EXPECT_EQ(Guess({"Y", "N", "Y"}).type, ColumnType::kBoolean);
  const ColumnSchema letters = Guess({"T", "T", "T"});
  EXPECT_EQ(letters.type, ColumnType::kCategorical);
  EXPECT_TRUE(letters.candidates.front().rejected);  // the boolean trial, shown as rejected
  EXPECT_EQ(Guess({"y"}).type, ColumnType::kCategorical);
  EXPECT_EQ(Guess({"yes", "yes"}).type, ColumnType::kBoolean);
}

// Decimals with more than 15 digits are floats too (they were taken for whole numbers).
TEST(GuessColumnTest, LongDecimalsAreFloats) {
  EXPECT_EQ(Guess({"0.181526642525569", "0.0210941969417036"}).type, ColumnType::kFloat);
  EXPECT_EQ(Guess({"82544000000000707.52"}).type, ColumnType::kFloat);
  EXPECT_EQ(Guess({"3.5215257120407011", "2"}).type, ColumnType::kFloat);
}

TEST(GuessColumnTest, QuartersAndEightDigitDates) {
  ColumnSchema quarters = Guess({"1974Q1", "1974Q2", "1974Q3"}, "period");
  EXPECT_EQ(quarters.type, ColumnType::kDate);
  EXPECT_EQ(quarters.date_order, DateOrder::kYearQuarter);
  EXPECT_EQ(Guess({"Q1 1974", "Q2 1974"}).date_order, DateOrder::kQuarterYear);
  ColumnSchema compact = Guess({"19580329", "19580330", "19581231"}, "date");
  EXPECT_EQ(compact.type, ColumnType::kDate);
  EXPECT_EQ(compact.date_order, DateOrder::kYmdCompact);
  // One value that is not a date, or years out of range: numbers (an amount, a code).
  EXPECT_EQ(Guess({"19580329", "19581332"}).type, ColumnType::kInteger);
  EXPECT_EQ(Guess({"12345678", "23456789"}).type, ColumnType::kInteger);
}

TEST(GuessColumnTest, ShortYearsMixedFormsAndDecimalYears) {
  EXPECT_EQ(Guess({"90.01.01", "90.02.01", "91.01.01"}).date_order, DateOrder::kYmdShort);
  // Day-first short dates stay day-first.
  EXPECT_EQ(Guess({"31.01.90", "28.02.90"}).date_order, DateOrder::kDmy);
  ColumnSchema mixed = Guess({"2024-01-31", "2/1/2024", "2024-03-01", "12/25/2024"}, "day");
  EXPECT_EQ(mixed.type, ColumnType::kDate);
  EXPECT_EQ(mixed.date_order, DateOrder::kYmdOrMdy);
  EXPECT_EQ(Guess({"2024-01-31", "25/12/2024"}).date_order, DateOrder::kYmdOrDmy);
  EXPECT_EQ(Guess({"2024-01-31", "2024-02-01"}).date_order, DateOrder::kYmd);

  // Monthly decimal years, whatever the column's name; to the day when named like a date.
  ColumnSchema monthly =
      Guess({"2000.0417", "2000.125", "2000.2083", "2000.2917", "2000.375"}, "x");
  EXPECT_EQ(monthly.type, ColumnType::kDate);
  EXPECT_EQ(monthly.date_order, DateOrder::kDecimalYearMonth);
  EXPECT_EQ(Guess({"1990.13", "1990.77", "1991.2"}, "decimal_date").date_order,
            DateOrder::kDecimalYear);
  // Prices and uneven numbers in the range of years are numbers, even on a tick of a quarter, and
  // a time in milliseconds is a time, not a year.
  EXPECT_EQ(Guess({"1999.99", "2499.5", "1250.25"}, "price").type, ColumnType::kFloat);
  EXPECT_EQ(Guess({"2100.25", "2100.5", "2100.75", "2101", "2101.25"}, "close").type,
            ColumnType::kFloat);
  EXPECT_EQ(Guess({"1200.5", "1873.25", "1544.75"}, "response_time").type, ColumnType::kFloat);
  EXPECT_EQ(Guess({"2000.5", "2001", "2003"}, "amount").type, ColumnType::kFloat);
}

TEST(GuessColumnTest, TimesOfDay) {
  ColumnSchema t = Guess({"05:40", "21:30", "9:05", "23:59"}, "departure");
  EXPECT_EQ(t.type, ColumnType::kTime);
  EXPECT_EQ(t.role, Role::kDimension);
  EXPECT_EQ(Guess({"05:40:00", "21:30:15"}).type, ColumnType::kTime);
  EXPECT_EQ(Guess({"2024-01-31 05:40", "2024-01-31 21:30"}).type, ColumnType::kDatetime);
  EXPECT_EQ(Guess({"05:40", "25:10"}).type, ColumnType::kCategorical);  // a duration, not a time
}

TEST(GuessColumnTest, DayFirstDecidedByValues) {
  EXPECT_EQ(Guess({"01/02/2024", "13/02/2024"}).date_order, DateOrder::kDmy);
  EXPECT_EQ(Guess({"01/02/2024", "02/13/2024"}).date_order, DateOrder::kMdy);
}

TEST(GuessColumnTest, DecimalCommaInSemicolonFiles) {
  ColumnSchema c = Guess({"1,5", "2,25", "1.234,5"}, "price", ';');
  EXPECT_EQ(c.type, ColumnType::kFloat);
  EXPECT_EQ(c.number.decimal, ',');
  EXPECT_EQ(Guess({"1,234", "2,000"}, "n", ',').number.decimal, '.');
}

TEST(GuessColumnTest, UnitsAndCodes) {
  EXPECT_EQ(Guess({"$1,200", "$3.50"}).unit, Unit::kCurrency);
  EXPECT_EQ(Guess({"12%", "7.5%"}).unit, Unit::kPercent);
  ColumnSchema zip = Guess({"02134", "10001", "00501"}, "zip");
  EXPECT_EQ(zip.type, ColumnType::kIdentifier);
  EXPECT_EQ(zip.role, Role::kIdentifier);
  EXPECT_EQ(Guess({"17", "23"}, "customer_id").type, ColumnType::kIdentifier);
}

TEST(GuessColumnTest, ZeroOneIsAYesNoColumn) {
  ColumnSchema churn = Guess({"0", "1", "0", "0"}, "churn");
  EXPECT_EQ(churn.type, ColumnType::kInteger);  // read as numbers: its mean is the share of 1s
  EXPECT_EQ(churn.role, Role::kDimension);      // but compared by, never added up
  EXPECT_EQ(Guess({"0", "0", "0"}).role, Role::kMeasure);  // one value seen: not yet a yes/no
  EXPECT_EQ(Guess({"0", "1", "2"}).role, Role::kMeasure);
}

TEST(NameSuggestsOutcomeTest, WhatHappenedToEachRow) {
  for (std::string_view name : {"churn", "Churned", "Attrition", "is_canceled", "Survived",
                                "default.payment.next.month", "Exited", "converted", "isFraud"}) {
    EXPECT_TRUE(NameSuggestsOutcome(name)) << name;
  }
  for (std::string_view name :
       {"plan", "promo", "is_weekend", "window", "passengers", "sex", "returning_customer"}) {
    EXPECT_FALSE(NameSuggestsOutcome(name)) << name;
  }
}

TEST(NameSuggestsBaseTest, WhatARateIsARateOf) {
  for (std::string_view name : {"visits", "Impressions", "n_customers", "students", "population",
                                "n", "sample_size", "headcount"}) {
    EXPECT_TRUE(NameSuggestsBase(name)) << name;
  }
  for (std::string_view name : {"revenue", "price", "discount", "counter", "nation", "region"}) {
    EXPECT_FALSE(NameSuggestsBase(name)) << name;
  }
}

TEST(NameSuggestsStockTest, LevelsAtAPointInTime) {
  for (std::string_view name :
       {"population", "Balance", "inventory_units", "headcount", "total_debt", "subscribers"}) {
    EXPECT_TRUE(NameSuggestsStock(name)) << name;
  }
  for (std::string_view name : {"sales", "births", "deaths", "new_subscriptions", "visits"}) {
    EXPECT_FALSE(NameSuggestsStock(name)) << name;
  }
}

TEST(NameSuggestsElapsedYearsTest, CountsOfYearsThatHavePassed) {
  for (std::string_view name : {"age", "Age", "TotalWorkingYears", "YearsAtCompany", "tenure",
                                "years_experience", "seniority_yrs"}) {
    EXPECT_TRUE(NameSuggestsElapsedYears(name)) << name;
  }
  for (std::string_view name : {"agent_id", "agency", "average", "page_views", "salary", "year"}) {
    EXPECT_FALSE(NameSuggestsElapsedYears(name)) << name;
  }
}

TEST(ClassifyStringsTest, CategoricalTextIdentifier) {
  EXPECT_EQ(ClassifyStrings("region", {1000, 4, 5, 0}), ColumnType::kCategorical);
  EXPECT_EQ(ClassifyStrings("comment", {1000, 990, 60, 0.9}), ColumnType::kText);
  EXPECT_EQ(ClassifyStrings("sku", {1000, 1000, 8, 0}), ColumnType::kIdentifier);
  // The unique names of a small table's rows are labels to compare, not keys.
  EXPECT_EQ(ClassifyStrings("country", {12, 12, 7, 0, /*labels=*/true}), ColumnType::kCategorical);
  EXPECT_EQ(Guess({"France", "Germany", "Italy", "Spain", "Poland", "Sweden", "Norway", "Austria",
                   "Belgium", "Ireland", "Côte d'Ivoire", "Bosnia & Herzegovina"},
                  "country")
                .type,
            ColumnType::kCategorical);
  EXPECT_EQ(Guess({"HK-9973", "HK-9974", "HK-9975", "HK-9976", "HK-9977", "HK-9978", "HK-9979",
                   "HK-9980", "HK-9981", "HK-9982"},
                  "product")
                .type,
            ColumnType::kIdentifier);
  EXPECT_TRUE(IsWordLabel("New Zealand"));
  EXPECT_FALSE(IsWordLabel("A1"));
  EXPECT_FALSE(IsWordLabel("a_b"));
  EXPECT_FALSE(IsWordLabel("--"));
}

TEST(InferSchemaTest, HeaderDetection) {
  auto infer = [](std::string text, csv::SniffOptions options = {}) {
    auto source = csv::MemorySource(std::move(text));
    auto sniff = csv::SniffDialect(*source, options);
    EXPECT_TRUE(sniff.ok());
    return InferSchema(*sniff, InferenceOptions{});
  };
  auto with = infer("date,price\n2024-01-01,3\n2024-01-02,4\n");
  EXPECT_TRUE(with->dialect.header);
  EXPECT_EQ(with->columns[1].name, "price");
  EXPECT_EQ(with->first_data_line, 2);
  auto without = infer("2024-01-01,3\n2024-01-02,4\n");
  EXPECT_FALSE(without->dialect.header);
  EXPECT_EQ(without->columns[0].name, "column_1");
  csv::SniffOptions no_header;
  no_header.overrides.header = false;
  EXPECT_FALSE(infer("a,b\nx,y\n", no_header)->dialect.header);
  auto dup = infer("a,a,\n1,2,3\n");
  EXPECT_EQ(dup->columns[1].name, "a_2");
  EXPECT_EQ(dup->columns[2].name, "column_3");
}

// Linear: 500,000 equal names (quadratic renaming took over a minute for 40,000), and names that
// collide with a generated suffix are skipped over, never duplicated.
TEST(UniqueNamesTest, ManyEqualNames) {
  std::vector<std::string> names(500000, "a");
  names[3] = "a_2";
  names.push_back("a_2");
  std::vector<std::string> unique = UniqueNames(names);
  ASSERT_EQ(unique.size(), names.size());
  EXPECT_EQ(unique[0], "a");
  EXPECT_EQ(unique[1], "a_2");
  EXPECT_EQ(unique[2], "a_3");
  EXPECT_EQ(unique[3], "a_2_2");
  EXPECT_EQ(unique[4], "a_4");
  EXPECT_EQ(unique[499999], "a_499999");
  EXPECT_EQ(unique.back(), "a_2_3");
  std::sort(unique.begin(), unique.end());
  EXPECT_EQ(std::adjacent_find(unique.begin(), unique.end()), unique.end());
}

TEST(InferSchemaTest, TypeOverrideNamesAColumn) {
  auto source = csv::MemorySource("a,b\n1,2\n");
  auto sniff = csv::SniffDialect(*source, {});
  InferenceOptions options;
  options.type_overrides["b"] = ColumnType::kCategorical;
  auto s = InferSchema(*sniff, options);
  EXPECT_EQ(s->columns[1].type, ColumnType::kCategorical);
  EXPECT_TRUE(s->columns[1].type_set_by_user);
  options.type_overrides["zz"] = ColumnType::kText;
  auto bad = InferSchema(*sniff, options);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'zz'"), std::string::npos);
}

}  // namespace
}  // namespace datastory::table
