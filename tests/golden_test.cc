// Data-driven golden cases: tests/golden/NAME.csv against NAME.expect.json (see its README).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "test_paths.h"

namespace datastory::testing {
namespace {

using nlohmann::json;

TEST(GoldenTest, EveryCase) {
  int cases = 0;
  for (const auto& entry : std::filesystem::directory_iterator(SourceDir() / "tests" / "golden")) {
    if (entry.path().extension() != ".csv") continue;
    std::string name = entry.path().stem().string();
    SCOPED_TRACE(name);
    std::ifstream in(entry.path().parent_path() / (name + ".expect.json"));
    ASSERT_TRUE(in) << "missing " << name << ".expect.json";
    json expect = json::parse(in);
    auto run = RunDatastory("profile --json " + Quote(entry.path()));
    ASSERT_EQ(run.exit_code, 0) << run.output;
    json got = json::parse(run.output);
    const json& dialect = got["dataset"]["dialect"];
    EXPECT_EQ(dialect["delimiter"], expect.value("delimiter", ","));
    EXPECT_EQ(dialect["encoding"], expect.value("encoding", "utf-8"));
    EXPECT_EQ(dialect["lineEnding"], expect.value("lineEnding", "lf"));
    EXPECT_EQ(dialect["header"], expect.value("header", true));
    EXPECT_EQ(dialect["skippedLines"], expect.value("skippedLines", 0));
    EXPECT_EQ(got["dataset"]["rowCount"], expect["rows"]);
    if (expect.contains("diagnostics")) {
      for (const auto& [kind, count] : expect["diagnostics"].items()) {
        int found = 0;
        for (const auto& d : got["diagnostics"]) found += d["kind"] == kind;
        EXPECT_EQ(found, count) << kind;
      }
    }
    const json& columns = expect["columns"];
    ASSERT_EQ(got["columns"].size(), columns.size());
    for (size_t c = 0; c < columns.size(); ++c) {
      const json& want = columns[c];
      const json& col = got["columns"][c];
      const json& dist = got["statistics"]["distributions"][c];
      SCOPED_TRACE(want["name"].get<std::string>());
      EXPECT_EQ(col["name"], want["name"]);
      EXPECT_EQ(col["type"], want["type"]);
      if (want.contains("role")) EXPECT_EQ(col["role"], want["role"]);
      if (want.contains("unit")) EXPECT_EQ(col.value("unit", ""), want["unit"]);
      if (want.contains("min")) EXPECT_EQ(dist["min"], want["min"]);
      if (want.contains("max")) EXPECT_EQ(dist["max"], want["max"]);
      if (want.contains("missing")) EXPECT_EQ(dist["missing"], want["missing"]);
      if (want.contains("top")) EXPECT_EQ(dist["topValues"][0]["value"], want["top"]);
    }
    ++cases;
  }
  EXPECT_GE(cases, 25);
}

}  // namespace
}  // namespace datastory::testing
