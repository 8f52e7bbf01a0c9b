#include "analysis/profile.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "render/profile_render.h"

namespace datastory::analysis {
namespace {

std::string MakeCsv(int rows, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> normal(50, 10);
  std::string out = "day,region,x,y,qty,flag,note\n";
  const char* regions[] = {"North", "South", "East", "West"};
  for (int i = 0; i < rows; ++i) {
    double x = normal(rng);
    char line[256];
    std::snprintf(line, sizeof(line), "2024-%02d-%02d,%s,%.3f,%s,%d,%s,\"note, %d\"\n", 1 + i % 12,
                  1 + i % 28, regions[rng() % 4], x,
                  i % 50 == 0 ? "" : std::to_string(2 * x + normal(rng) / 5).c_str(),
                  static_cast<int>(rng() % 60), i % 3 ? "true" : "false", i % 97);
    out += line;
  }
  return out;
}

Profile ProfileText(const std::string& csv, int threads, size_t block) {
  auto source = csv::MemorySource(csv, "t.csv");
  ProfileOptions options;
  options.read.threads = threads;
  options.read.block_bytes = block;
  options.read.batch_rows = 333;
  auto p = ProfileSource(*source, options);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return std::move(p).value();
}

// A time of day is profiled by hour: 24 bins from midnight, its range and median as times.
TEST(ProfileTest, TimesOfDayByHour) {
  std::string csv = "departure,delay\n";
  for (int i = 0; i < 240; ++i) {
    const int hour = i % 3 == 0 ? 8 : i % 24;  // a third of them at eight
    csv += (hour < 10 ? "0" : "") + std::to_string(hour) + ":" + (i % 60 < 10 ? "0" : "") +
           std::to_string(i % 60) + "," + std::to_string(i % 17) + "\n";
  }
  Profile p = ProfileText(csv, 2, 1 << 20);
  const ColumnProfile& c = p.columns[0];
  EXPECT_EQ(c.schema.type, table::ColumnType::kTime);
  ASSERT_EQ(c.histogram.counts.size(), 24u);
  EXPECT_EQ(c.histogram.edges.front(), 0);
  EXPECT_EQ(c.histogram.edges.back(), 86400);
  int64_t at_eight = c.histogram.counts[8];
  EXPECT_GE(at_eight, 80);
  EXPECT_EQ(*std::max_element(c.histogram.counts.begin(), c.histogram.counts.end()), at_eight);
  EXPECT_EQ(*c.min, 3600 + 60);  // 01:01
}

// Footer lines are left out of the rows and reported once, on any blocks and threads.
TEST(ProfileTest, FooterLinesAreNoRows) {
  std::string csv = "region,units\n";
  for (int i = 0; i < 500; ++i)
    csv += std::string(i % 2 ? "North," : "South,") + std::to_string(i) + "\n";
  csv += "Total,124750\n\nSource: made up for the test\n";
  for (int threads : {1, 2}) {
    for (size_t block : {size_t{64}, size_t{1} << 20}) {
      Profile p = ProfileText(csv, threads, block);
      EXPECT_EQ(p.rows, 500);
      EXPECT_EQ(p.columns[1].max, 499);
      ASSERT_EQ(p.footer_lines.size(), 2u);
      int footers = 0;
      for (const csv::Diagnostic& d : p.diagnostics) {
        if (d.kind != csv::DiagnosticKind::kFooterLines) continue;
        ++footers;
        EXPECT_EQ(d.line, 502);
      }
      EXPECT_EQ(footers, 1);
    }
  }
}

// Everything but moments is exactly equal for any blocks and threads; moments are equal for any
// threads at a fixed block size, and equal to 1e-12 across block sizes.
TEST(ProfileTest, SameNumbersForAnyChunkingAndThreads) {
  std::string csv = MakeCsv(20000, 3);
  Profile base = ProfileText(csv, 1, 64 << 20);  // one block
  for (auto [threads, block] :
       {std::pair{2, size_t{4096}}, {1, size_t{4096}}, {2, size_t{100000}}}) {
    Profile p = ProfileText(csv, threads, block);
    ASSERT_EQ(p.rows, base.rows);
    EXPECT_EQ(p.duplicate_rows, base.duplicate_rows);
    ASSERT_EQ(p.columns.size(), base.columns.size());
    for (size_t c = 0; c < p.columns.size(); ++c) {
      const ColumnProfile& a = base.columns[c];
      const ColumnProfile& b = p.columns[c];
      SCOPED_TRACE(a.schema.name);
      EXPECT_EQ(a.schema.type, b.schema.type);
      EXPECT_EQ(a.count, b.count);
      EXPECT_EQ(a.missing, b.missing);
      EXPECT_EQ(a.distinct, b.distinct);
      EXPECT_EQ(a.min, b.min);
      EXPECT_EQ(a.max, b.max);
      EXPECT_EQ(a.median, b.median);
      EXPECT_EQ(a.p5, b.p5);
      EXPECT_EQ(a.p95, b.p95);
      EXPECT_EQ(a.histogram.counts, b.histogram.counts);
      ASSERT_EQ(a.top_values.size(), b.top_values.size());
      for (size_t k = 0; k < a.top_values.size(); ++k) {
        EXPECT_EQ(a.top_values[k].value, b.top_values[k].value);
        EXPECT_EQ(a.top_values[k].count, b.top_values[k].count);
      }
      if (a.mean) {
        EXPECT_NEAR(*a.mean, *b.mean, 1e-12 * std::fabs(*a.mean));
        EXPECT_NEAR(*a.std, *b.std, 1e-12 * *a.std);
        EXPECT_NEAR(*a.skewness, *b.skewness, 1e-9);
      }
    }
    ASSERT_EQ(p.correlations.size(), base.correlations.size());
    for (size_t k = 0; k < p.correlations.size(); ++k) {
      EXPECT_NEAR(p.correlations[k].value, base.correlations[k].value, 1e-12);
      EXPECT_EQ(p.correlations[k].n, base.correlations[k].n);
    }
  }
  // Fixed blocks, any threads: bit-identical moments too.
  Profile one = ProfileText(csv, 1, 4096), two = ProfileText(csv, 2, 4096);
  for (size_t c = 0; c < one.columns.size(); ++c) {
    EXPECT_EQ(one.columns[c].mean, two.columns[c].mean);
    EXPECT_EQ(one.columns[c].std, two.columns[c].std);
  }
}

TEST(ProfileTest, StatisticsMatchDirectComputation) {
  Profile p = ProfileText("v,g\n1,a\n2,a\n3,b\n4,\n,c\n100,a\n", 2, 8);
  const ColumnProfile& v = p.columns[0];
  EXPECT_EQ(v.schema.type, table::ColumnType::kInteger);
  EXPECT_EQ(v.count, 5);
  EXPECT_EQ(v.missing, 1);
  EXPECT_DOUBLE_EQ(*v.mean, 22);
  EXPECT_DOUBLE_EQ(*v.median, 3);
  EXPECT_DOUBLE_EQ(*v.p25, 2);
  EXPECT_DOUBLE_EQ(*v.p95, 80.8);  // numpy: 4 + 0.8 * 96
  EXPECT_NEAR(*v.std, std::sqrt((21 * 21 + 20 * 20 + 19 * 19 + 18 * 18 + 78 * 78) / 4.0), 1e-9);
  const ColumnProfile& g = p.columns[1];
  EXPECT_EQ(g.top_values[0].value, "a");
  EXPECT_EQ(g.top_values[0].count, 3);
  EXPECT_EQ(g.missing, 1);
}

TEST(ProfileTest, AlertsUseYdataNamesAndThresholds) {
  std::string csv = "id,const,cat,z,a,b\n";
  for (int i = 0; i < 200; ++i) {
    csv += std::to_string(i) + ",k," + (i < 190 ? "x" : "y") + "," + (i % 2 ? "0" : "5") + "," +
           std::to_string(i) + "," + std::to_string(i * 2 + 1) + "\n";
  }
  csv += "199,k,y,0,199,399\n";  // a duplicate row
  Profile p = ProfileText(csv, 2, 1 << 20);
  auto has = [&](const std::string& type, const std::string& column) {
    for (const auto& a : p.alerts) {
      if (AlertTypeName(a.type) == type && a.column == column) return true;
    }
    return false;
  };
  EXPECT_TRUE(has("CONSTANT", "const"));
  EXPECT_TRUE(has("IMBALANCE", "cat"));
  EXPECT_TRUE(has("ZEROS", "z"));
  EXPECT_TRUE(has("HIGH_CORRELATION", "a"));
  EXPECT_TRUE(has("DUPLICATES", ""));
  EXPECT_EQ(p.duplicate_rows, 1);
  EXPECT_FALSE(has("MISSING", "cat"));
}

TEST(ProfileTest, InvalidValuesAreCountedWithTheirLine) {
  std::string csv = "n\n";
  for (int i = 0; i < 300; ++i) csv += std::to_string(i) + "\n";
  csv += "oops\n";
  Profile p = ProfileText(csv, 1, 1 << 20);
  EXPECT_EQ(p.columns[0].schema.type, table::ColumnType::kInteger);
  EXPECT_EQ(p.columns[0].invalid, 1);
  ASSERT_EQ(p.columns[0].invalid_examples.size(), 1u);
  EXPECT_EQ(p.columns[0].invalid_examples[0].line, 302);
  EXPECT_NE(render::RenderProfileJson(p).find("\"invalid_value\""), std::string::npos);
}

}  // namespace
}  // namespace datastory::analysis
