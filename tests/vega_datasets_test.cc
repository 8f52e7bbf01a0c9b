// Every CSV of npm vega-datasets profiles cleanly, with the types a person would give.
#include <gtest/gtest.h>

#include <map>

#include "analysis/profile.h"
#include "test_paths.h"

namespace datastory::testing {
namespace {

using table::ColumnType;

analysis::Profile ProfileFile(const std::filesystem::path& path) {
  auto source = csv::OpenFile(path.string());
  EXPECT_TRUE(source.ok());
  auto p = analysis::ProfileSource(**source, {});
  EXPECT_TRUE(p.ok()) << path << ": " << p.status().ToString();
  return p.ok() ? std::move(p).value() : analysis::Profile{};
}

std::vector<std::string> Types(const analysis::Profile& p) {
  std::vector<std::string> out;
  for (const auto& c : p.columns) out.emplace_back(table::ColumnTypeName(c.schema.type));
  return out;
}

TEST(VegaDatasetsTest, EveryCsvProfiles) {
  auto data = NpmPackage("vega-datasets") / "data";
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(data)) {
    if (entry.path().extension() != ".csv") continue;
    SCOPED_TRACE(entry.path().filename().string());
    analysis::Profile p = ProfileFile(entry.path());
    EXPECT_GT(p.rows, 0);
    EXPECT_TRUE(p.dialect.header);
    for (const auto& c : p.columns) {
      EXPECT_EQ(c.invalid, 0) << c.schema.name << " e.g. "
                              << (c.invalid_examples.empty() ? "" : c.invalid_examples[0].value);
    }
    ++files;
  }
  EXPECT_GE(files, 20);
}

TEST(VegaDatasetsTest, TypesAPersonWouldGive) {
  auto data = NpmPackage("vega-datasets") / "data";
  std::map<std::string, std::vector<std::string>> expected = {
      {"seattle-weather.csv", {"date", "float", "float", "float", "float", "categorical"}},
      {"stocks.csv", {"categorical", "date", "float"}},
      {"github.csv", {"datetime", "integer"}},
  };
  for (const auto& [file, types] : expected) {
    EXPECT_EQ(Types(ProfileFile(data / file)), types) << file;
  }
  analysis::Profile zip = ProfileFile(data / "zipcodes.csv");
  EXPECT_EQ(zip.columns[0].schema.name, "zip_code");
  EXPECT_EQ(zip.columns[0].schema.type, ColumnType::kIdentifier);
  EXPECT_EQ(zip.columns[0].top_values[0].value.size(), 5u);  // "00501": leading zeros kept
  EXPECT_EQ(ProfileFile(data / "stocks.csv").columns[0].schema.role, table::Role::kDimension);
  EXPECT_EQ(ProfileFile(data / "github.csv").columns[0].schema.role, table::Role::kTime);
}

}  // namespace
}  // namespace datastory::testing
