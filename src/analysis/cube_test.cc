#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

#include "analysis/profile.h"
#include "table/value_parse.h"

namespace datastory::analysis {
namespace {

Profile ProfileWithCube(const std::string& csv, int threads = 2, size_t block = 8 << 20,
                        int sample_rows = 10000) {
  auto source = csv::MemorySource(csv, "t.csv");
  ProfileOptions options;
  options.build_cube = true;
  options.read.threads = threads;
  options.read.block_bytes = block;
  options.read.batch_rows = 100;
  options.sample_rows = sample_rows;
  auto p = ProfileSource(*source, options);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return std::move(p).value();
}

// date,region,sales with known totals: region r sells (r + 1) * day-of-month on each day.
std::string SalesCsv(int days) {
  const char* regions[] = {"North", "South", "East"};
  std::string out = "date,region,sales\n";
  for (int d = 0; d < days; ++d) {
    int64_t t = DaysFromCivil(2024, 1, 1) + d;
    std::string date = table::FormatTimestamp(t * 86400, false);
    for (int r = 0; r < 3; ++r) {
      out += date + "," + regions[r] + "," + std::to_string((r + 1) * (d % 31 + 1)) + "\n";
    }
  }
  return out;
}

// Yes/no columns: 0/1 numbers are categories labelled by their value; an
// outcome (named for what happened to each row) comes first, as a dimension and as a measure of
// 1s and 0s, whether written 0/1 or yes/no, so that its mean in a group is the group's rate.
TEST(CubeTest, YesNoColumnsAndOutcomes) {
  std::string csv = "plan,promo,amount,left\n";
  for (int i = 0; i < 40; ++i) {
    const bool basic = i % 2 == 0;
    const bool left = basic ? i % 4 == 0 : i % 10 == 1;  // basic: 10 of 20; plus: 4 of 20
    csv += std::string(basic ? "basic," : "plus,") + (i % 3 ? "0," : "1,") + std::to_string(i) +
           "," + (left ? "yes" : "no") + "\n";
  }
  Profile p = ProfileWithCube(csv, 2, 256);
  const Cube& cube = p.cube;
  ASSERT_EQ(cube.plan.outcomes, 1);
  EXPECT_EQ(cube.plan.measures, (std::vector<int>{3, 2}));
  EXPECT_EQ(cube.plan.dimensions, (std::vector<int>{3, 0, 1}));
  std::map<std::string, int64_t> promo;
  for (const CategoryCell& c : cube.dimensions[2].categories) promo[c.label] = c.rows;
  EXPECT_EQ(promo, (std::map<std::string, int64_t>{{"0", 26}, {"1", 14}}));
  std::map<std::string, double> rate;
  for (const CategoryCell& c : cube.dimensions[1].categories) rate[c.label] = c.measures[0].mean;
  EXPECT_NEAR(rate["basic"], 0.5, 1e-12);
  EXPECT_NEAR(rate["plus"], 0.2, 1e-12);
  EXPECT_EQ(p.columns[3].schema.type, table::ColumnType::kBoolean);  // still a yes/no column
  EXPECT_FALSE(p.columns[3].mean.has_value());
}

// A rate with its base beside it gets two more sums in every cell, rate × base and the base
// where the rate is present, so a group's rate can be weighted by its base; on any thread count.
TEST(CubeTest, RateWithItsBaseIsWeighted) {
  std::string csv = "region,visits,conversion_rate,month\n";
  for (int i = 0; i < 60; ++i) {
    const bool north = i % 2 == 0;
    const int visits = north ? (i % 4 == 0 ? 1000 : 10) : 500;
    const std::string rate = i == 5 ? "" : north ? (i % 4 == 0 ? "0.02" : "0.4") : "0.05";
    csv += std::string(north ? "north," : "south,") + std::to_string(visits) + "," + rate + "," +
           "2024-0" + std::to_string(1 + i % 3) + "-01\n";
  }
  for (int threads : {1, 2}) {
    Profile p = ProfileWithCube(csv, threads, 256);
    const Cube& cube = p.cube;
    ASSERT_EQ(cube.plan.weighted_rates.size(), 1u);
    EXPECT_EQ(cube.plan.measures[cube.plan.weighted_rates[0].rate], 2);
    EXPECT_EQ(cube.plan.measures[cube.plan.weighted_rates[0].base], 1);
    EXPECT_EQ(cube.plan.cell_measures(), 4);
    for (const CategoryCell& c : cube.dimensions[0].categories) {
      ASSERT_EQ(c.measures.size(), 4u);
      if (c.label == "north") {
        // 15 rows of 1,000 visits at 2% and 15 of 10 at 40%: (300 + 60) / 15,150.
        EXPECT_NEAR(c.measures[2].sum, 15 * 1000 * 0.02 + 15 * 10 * 0.4, 1e-9);
        EXPECT_NEAR(c.measures[3].sum, 15 * 1000 + 15 * 10, 1e-9);
      } else {
        // One rate missing (row 5): its 500 visits are left out of the base.
        EXPECT_NEAR(c.measures[2].sum, 29 * 500 * 0.05, 1e-9);
        EXPECT_NEAR(c.measures[3].sum, 29 * 500, 1e-9);
        EXPECT_EQ(c.measures[0].sum, 30 * 500);  // the visits themselves, every row
      }
    }
    // The series carry them too; the sample keeps the measures only.
    ASSERT_FALSE(cube.series.empty());
    for (const TimeCell& cell : cube.series[0].cells) EXPECT_EQ(cell.measures.size(), 4u);
    for (const auto& row : cube.sample.numbers) EXPECT_EQ(row.size(), 3u);  // 2 measures, time
  }
}

// Years with their months in a column beside them are one monthly axis; a month out of range
// leaves its row without a time. Quarters work the same way.
TEST(CubeTest, YearAndMonthColumnsAreOneAxis) {
  std::string csv = "year,month,sales\n";
  for (int y = 2020; y <= 2021; ++y) {
    for (int m = 1; m <= 12; ++m) csv += std::to_string(y) + "," + std::to_string(m) + ",10\n";
  }
  csv += "2021,13,10\n";
  Profile p = ProfileWithCube(csv, 2, 256);
  EXPECT_EQ(p.cube.plan.time_column, 0);
  EXPECT_EQ(p.cube.plan.time_part_column, 1);
  EXPECT_EQ(p.cube.plan.measures, (std::vector<int>{2}));  // the month is not a measure
  ASSERT_EQ(p.cube.series[0].cells.size(), 24u);
  EXPECT_EQ(FormatBucketIso(p.cube.series[0].cells[1].start, TimeGrain::kMonth), "2020-02");
  EXPECT_EQ(p.cube.time_missing, 1);

  Profile q = ProfileWithCube("fiscal_year,qtr,sales\n2020,1,5\n2020,4,6\n2021,2,7\n", 2, 256);
  EXPECT_EQ(q.cube.plan.time_part_months, 3);
  ASSERT_EQ(q.cube.series[0].cells.size(), 3u);
  EXPECT_EQ(FormatBucket(q.cube.series[0].cells[1].start, TimeGrain::kQuarter), "2020 Q4");
}

// A table too long for every dimension × measure pair: the plan keeps the most promising
// columns, judged on the sample, whatever their place, and names the others.
TEST(CubeTest, PlanScreensALongWideTableByEvidenceNotPosition) {
  table::Schema schema;
  auto add = [&](std::string name, table::ColumnType type, table::Role role) {
    table::ColumnSchema c;
    c.name = std::move(name);
    c.type = type;
    c.role = role;
    schema.columns.push_back(c);
  };
  for (int m = 0; m < 30; ++m) {
    add("m" + std::to_string(m), table::ColumnType::kFloat, table::Role::kMeasure);
  }
  for (int d = 0; d < 12; ++d) {
    add("d" + std::to_string(d), table::ColumnType::kCategorical, table::Role::kDimension);
  }
  // In the sample, the last measure follows the last dimension; everything else is noise.
  std::mt19937 rng(4);
  std::vector<std::vector<std::string>> records;
  for (int r = 0; r < 400; ++r) {
    std::vector<std::string> record;
    const int last = static_cast<int>(rng() % 3);
    for (int m = 0; m < 30; ++m) {
      record.push_back(std::to_string(m == 29 ? 100 * last + static_cast<int>(rng() % 5)
                                              : static_cast<int>(rng() % 100)));
    }
    for (int d = 0; d < 12; ++d) {
      record.push_back(d == 11 ? std::string(1, static_cast<char>('a' + last))
                               : std::string(1, static_cast<char>('a' + rng() % 3)));
    }
    records.push_back(std::move(record));
  }
  PlanEvidence evidence;
  evidence.estimated_rows = 100'000'000;  // 10^8 rows: only the always-affordable part fits
  for (const auto& record : records) evidence.sample.push_back(&record);
  auto plan = PlanCube(schema, ProfileOptions{}, evidence);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->measures.size(), static_cast<size_t>(CubePlan::kAlwaysMeasures));
  EXPECT_EQ(plan->dimensions.size(), static_cast<size_t>(CubePlan::kAlwaysDimensions));
  auto has = [](const std::vector<int>& v, int c) {
    return std::find(v.begin(), v.end(), c) != v.end();
  };
  EXPECT_TRUE(has(plan->measures, 29));  // the last measure, and the dimension it follows
  EXPECT_TRUE(has(plan->dimensions, 41));
  EXPECT_EQ(plan->ranked_measures.front(), 29);
  EXPECT_EQ(plan->screened_out.size(), 30u - 12u + 12u - 8u);
  EXPECT_FALSE(has(plan->screened_out, 29));
  // The same table, short: every column is aggregated.
  evidence.estimated_rows = 400;
  auto whole = PlanCube(schema, ProfileOptions{}, evidence);
  EXPECT_EQ(whole->measures.size(), 30u);
  EXPECT_EQ(whole->dimensions.size(), 12u);
  EXPECT_TRUE(whole->screened_out.empty());
}

TEST(CubeTest, GroupsByDimensionAndTime) {
  Profile p = ProfileWithCube(SalesCsv(60));
  const Cube& cube = p.cube;
  ASSERT_EQ(cube.plan.time_column, 0);
  ASSERT_EQ(cube.plan.dimensions, std::vector<int>{1});
  ASSERT_EQ(cube.plan.measures, std::vector<int>{2});
  ASSERT_EQ(cube.dimensions.size(), 1u);
  const DimensionCube& region = cube.dimensions[0];
  ASSERT_EQ(region.categories.size(), 3u);
  // Day-of-month sums over Jan (1..31) and Feb 1..29: 496 + 435 = 931 per unit.
  std::map<std::string, double> sums;
  for (const CategoryCell& c : region.categories) {
    EXPECT_EQ(c.rows, 60);
    sums[c.label] = c.measures[0].sum;
  }
  EXPECT_EQ(sums["North"], 931);
  EXPECT_EQ(sums["South"], 2 * 931);
  EXPECT_EQ(sums["East"], 3 * 931);
  // Per-category means and squared deviations agree with the sums.
  EXPECT_NEAR(region.categories[0].measures[0].mean * 60, region.categories[0].measures[0].sum,
              1e-9);
  // One whole-table series plus one per region, daily.
  ASSERT_EQ(cube.series.size(), 4u);
  EXPECT_EQ(cube.series[0].dimension, -1);
  EXPECT_EQ(cube.series[0].cells.size(), 60u);
  EXPECT_EQ(cube.series[0].cells[0].rows, 3);
  EXPECT_EQ(cube.series[0].cells[0].measures[0].sum, 1 + 2 + 3);
  int64_t rows = 0;
  for (const TimeCell& c : cube.series[1].cells) rows += c.rows;
  EXPECT_EQ(rows, 60);
  EXPECT_EQ(cube.time_missing, 0);
  // Every row fits in the sample.
  EXPECT_EQ(cube.sample.numbers.size(), 180u);
  EXPECT_EQ(cube.sample.population, 180);
}

TEST(CubeTest, SameBitsOnAnyThreadCountAndBatchSize) {
  std::mt19937 rng(7);
  std::normal_distribution<double> noise(100, 30);
  std::string csv = "when,kind,v\n";
  for (int i = 0; i < 40000; ++i) {
    char line[128];
    std::snprintf(line, sizeof(line), "2020-%02d-%02d,k%d,%.6f\n", 1 + i % 12, 1 + i % 28, i % 7,
                  noise(rng));
    csv += line;
  }
  Profile a = ProfileWithCube(csv, 1, 64 << 10);
  Profile b = ProfileWithCube(csv, 2, 64 << 10);
  ASSERT_EQ(a.cube.dimensions[0].categories.size(), b.cube.dimensions[0].categories.size());
  for (size_t i = 0; i < a.cube.dimensions[0].categories.size(); ++i) {
    const Aggregate& x = a.cube.dimensions[0].categories[i].measures[0];
    const Aggregate& y = b.cube.dimensions[0].categories[i].measures[0];
    EXPECT_EQ(x.sum, y.sum);  // bit for bit
    EXPECT_EQ(x.m2, y.m2);
  }
  ASSERT_EQ(a.cube.series[0].cells.size(), b.cube.series[0].cells.size());
  for (size_t i = 0; i < a.cube.series[0].cells.size(); ++i) {
    EXPECT_EQ(a.cube.series[0].cells[i].measures[0].sum, b.cube.series[0].cells[i].measures[0].sum);
  }
  EXPECT_EQ(a.cube.sample.numbers, b.cube.sample.numbers);
}

TEST(CubeTest, TimeBucketsCoarsenPastTheLimit) {
  // 150,000 distinct seconds: more buckets than kept, so the grain coarsens; no row is lost.
  std::string csv = "t,v\n";
  for (int i = 0; i < 150000; ++i) {
    csv += table::FormatTimestamp(1700000000 + int64_t{i} * 7, true) + ",1\n";
  }
  Profile p = ProfileWithCube(csv);
  EXPECT_GT(p.cube.grain, TimeGrain::kSecond);
  EXPECT_LE(static_cast<int64_t>(p.cube.series[0].cells.size()), Cube::kMaxTimeBuckets);
  int64_t rows = 0;
  double sum = 0;
  for (const TimeCell& c : p.cube.series[0].cells) rows += c.rows, sum += c.measures[0].sum;
  EXPECT_EQ(rows, 150000);
  EXPECT_EQ(sum, 150000);
}

TEST(CubeTest, ManyCategoriesDropADimensionAndManySeriesDropTheSplit) {
  // The sniffer's sample (the first 1,000 records) sees 10 values of "many", so it is a
  // dimension; the rest of the file brings 3,000 more, past DimensionCube::kMaxCategories.
  std::string csv = "d,few,many,v\n";
  for (int i = 0; i < 4000; ++i) {
    std::string many = i < 1000 ? "x" + std::to_string(i % 10) : "m" + std::to_string(i);
    csv += "2024-01-" + std::string(i % 28 < 9 ? "0" : "") + std::to_string(i % 28 + 1) + ",f" +
           std::to_string(i % 30) + "," + many + "," + std::to_string(i) + "\n";
  }
  auto source = csv::MemorySource(csv, "t.csv");
  ProfileOptions options;
  options.build_cube = true;
  options.sniff.max_sample_records = 1000;
  auto p = ProfileSource(*source, options);
  ASSERT_TRUE(p.ok());
  const Cube& cube = p->cube;
  ASSERT_EQ(cube.dimensions.size(), 2u);
  const DimensionCube& few = cube.dimensions[0];
  const DimensionCube& many = cube.dimensions[1];
  EXPECT_EQ(p->columns[many.column].schema.name, "many");
  EXPECT_TRUE(many.dropped);
  EXPECT_TRUE(many.categories.empty());
  EXPECT_FALSE(few.dropped);
  EXPECT_EQ(few.categories.size(), 30u);
  // 30 categories are too many to split the time series by; the whole-table series stays.
  ASSERT_EQ(cube.series.size(), 1u);
  EXPECT_EQ(cube.series[0].dimension, -1);
}

TEST(CubeTest, YearColumnIsTheTimeAxis) {
  std::string csv = "year,people\n";
  for (int y = 1950; y <= 2000; y += 10) csv += std::to_string(y) + "," + std::to_string(y) + "\n";
  Profile p = ProfileWithCube(csv);
  EXPECT_TRUE(p.cube.plan.time_is_year);
  EXPECT_EQ(p.cube.plan.time_column, 0);
  ASSERT_EQ(p.cube.series[0].cells.size(), 6u);
  EXPECT_EQ(p.cube.series[0].cells[0].start, YearStart(1950));
  EXPECT_EQ(p.cube.series[0].cells[0].measures[0].sum, 1950);
}

TEST(CubeTest, SampleIsBoundedAndEvenlySpread) {
  std::string csv = "i,v\n";
  for (int i = 0; i < 20000; ++i)
    csv += "r" + std::to_string(i % 5) + "," + std::to_string(i) + "\n";
  Profile p = ProfileWithCube(csv, 2, 32 << 10, 1000);
  ASSERT_EQ(p.cube.sample.numbers.size(), 1000u);
  EXPECT_EQ(p.cube.sample.population, 20000);
  // In file order, and drawn from the whole file, not its start.
  double first = p.cube.sample.numbers.front()[0], last = p.cube.sample.numbers.back()[0];
  EXPECT_LT(first, 200);
  EXPECT_GT(last, 19800);
  for (size_t i = 1; i < p.cube.sample.numbers.size(); ++i) {
    EXPECT_LT(p.cube.sample.numbers[i - 1][0], p.cube.sample.numbers[i][0]);
  }
}

TEST(CubeTest, TimeOptionNamesTheAxis) {
  auto source = csv::MemorySource("a,b,v\n2024-01-01,2024-02-01,1\n", "t.csv");
  ProfileOptions options;
  options.build_cube = true;
  options.time_column = "b";
  auto p = ProfileSource(*source, options);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->cube.plan.time_column, 1);
  options.time_column = "v";
  EXPECT_TRUE(ProfileSource(*source, options).ok());  // whole numbers may be years
  options.time_column = "nope";
  auto bad = ProfileSource(*source, options);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("is not in the file"), std::string::npos);
}

}  // namespace
}  // namespace datastory::analysis
