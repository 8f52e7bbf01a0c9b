#include "analysis/wide_years.h"

#include <gtest/gtest.h>

#include "csv/sniffer.h"
#include "table/inference.h"

namespace datastory::analysis {
namespace {

table::Schema SchemaOf(const csv::ByteSource& source) {
  auto sniff = csv::SniffDialect(source, csv::SniffOptions{});
  EXPECT_TRUE(sniff.ok()) << sniff.status().ToString();
  auto schema = table::InferSchema(*sniff, table::InferenceOptions{});
  EXPECT_TRUE(schema.ok()) << schema.status().ToString();
  return *schema;
}

TEST(WideYearsTest, YearColumnsAreFoundByName) {
  auto named = [](std::vector<std::string> names) {
    table::Schema schema;
    schema.dialect.header = true;
    for (auto& n : names) schema.columns.push_back({.name = n});
    return FindYearColumns(schema);
  };
  YearColumns wb = named({"Country", "1960 [YR1960]", "1961 [YR1961]", "1962 [YR1962]",
                          "1963 [YR1963]", "1964 [YR1964]"});
  EXPECT_EQ(wb.columns, (std::vector<int>{1, 2, 3, 4, 5}));
  EXPECT_EQ(wb.years.front(), 1960);
  EXPECT_EQ(named({"id", "X2001", "X2002", "X2003", "X2004", "X2005"}).years.back(), 2005);
  EXPECT_TRUE(named({"id", "1960", "1961", "1962", "1963"}).columns.empty());    // four
  EXPECT_TRUE(named({"1960", "1961", "1962", "1963", "1964"}).columns.empty());  // nothing else
  EXPECT_TRUE(named({"id", "1960", "1961", "1962", "1963", "1963"}).columns.empty());
  EXPECT_TRUE(named({"id", "0001", "0002", "0003", "0004", "0005"}).columns.empty());
}

// The first row of year names over numbers is the header; the long form has a row per country
// and year with a number, ".." and empty cells missing, empty years listed, and the indicator's
// name (the same in every row) naming the value.
TEST(WideYearsTest, ReadLongWritesARowPerYear) {
  const std::string csv =
      "Country,Indicator Name,2001,2002,2003,2004,2005,2006\n"
      "\"Aland, North\",\"GDP, total\",1.5,2,..,4,5,\n"
      "Borduria,\"GDP, total\",10,20,30,40,50,\n";
  auto source = csv::MemorySource(csv, "w.csv");
  const table::Schema schema = SchemaOf(*source);
  ASSERT_TRUE(schema.dialect.header) << schema.header_reason;
  const YearColumns years = FindYearColumns(schema);
  ASSERT_EQ(years.columns.size(), 6u);
  auto table = ReadLong(*source, schema, years, 1 << 20);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ(table->value_name, "GDP");
  EXPECT_EQ(table->dropped, (std::vector<std::string>{"Indicator Name"}));
  EXPECT_EQ(table->empty_years, (std::vector<int>{2006}));
  EXPECT_EQ(table->wide_rows, 2);
  EXPECT_EQ(table->rows, 9);
  EXPECT_EQ(table->csv,
            "Country,year,GDP\n"
            "\"Aland, North\",2001,1.5\n\"Aland, North\",2002,2\n\"Aland, North\",2004,4\n"
            "\"Aland, North\",2005,5\n"
            "Borduria,2001,10\nBorduria,2002,20\nBorduria,2003,30\nBorduria,2004,40\n"
            "Borduria,2005,50\n");
  EXPECT_EQ(ReadLong(*source, schema, years, 40).status().code(), StatusCode::kResourceExhausted);
}

// In a file with a decimal comma, "12.345" is twelve thousand three hundred and forty-five.
TEST(WideYearsTest, NumbersKeepTheirColumnsFormat) {
  const std::string csv =
      "Land;2001;2002;2003;2004;2005\n"
      "Aland;12.345;1,5;3;4;5\n"
      "Borduria;10;20;30;40;50,25\n";
  auto source = csv::MemorySource(csv, "w.csv");
  const table::Schema schema = SchemaOf(*source);
  ASSERT_TRUE(schema.dialect.header);
  auto table = ReadLong(*source, schema, FindYearColumns(schema), 1 << 20);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_NE(table->csv.find("Aland,2001,12345\n"), std::string::npos) << table->csv;
  EXPECT_NE(table->csv.find("Aland,2002,1.5\n"), std::string::npos) << table->csv;
  EXPECT_NE(table->csv.find("Borduria,2005,50.25\n"), std::string::npos) << table->csv;
}

}  // namespace
}  // namespace datastory::analysis
