#include "pipeline/pipeline.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <vector>

namespace datastory::pipeline {
namespace {

std::string Sales(int rows) {
  std::string csv = "date,region,revenue\n";
  const char* regions[] = {"West", "East", "North", "South"};
  for (int i = 0; i < rows; ++i) {
    char line[80];
    std::snprintf(line, sizeof line, "2024-%02d-%02d,%s,%d\n", i / 28 % 12 + 1, i % 28 + 1,
                  regions[i % 4], 1000 + (i * 37) % 500);
    csv += line;
  }
  return csv;
}

// Threads of this process now.
int Threads() {
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/task"))
    n += !e.path().empty();
  return n;
}

TEST(PipelineTest, StagesInOrderAndProgressNeverGoesBack) {
  auto source = csv::MemorySource(Sales(2000), "sales.csv");
  std::vector<std::pair<Stage, int>> seen;
  StoryRequest request;
  request.block_bytes = 4096;  // many blocks, many progress reports
  auto result = MakeStory(*source, request, [&](Stage s, int p) { seen.emplace_back(s, p); });
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->story.profile.rows, 2000);
  ASSERT_GE(seen.size(), 6u);
  EXPECT_EQ(seen.front(), std::make_pair(Stage::kParsing, 0));
  EXPECT_EQ(seen.back(), std::make_pair(Stage::kWriting, 99));
  for (size_t i = 1; i < seen.size(); ++i) {
    EXPECT_GE(seen[i].second, seen[i - 1].second) << i;
    EXPECT_GE(static_cast<int>(seen[i].first), static_cast<int>(seen[i - 1].first)) << i;
  }
  std::vector<Stage> stages;
  for (auto [stage, percent] : seen) {
    if (stages.empty() || stages.back() != stage) stages.push_back(stage);
  }
  EXPECT_EQ(stages, (std::vector<Stage>{Stage::kParsing, Stage::kAnalyzing, Stage::kCharting,
                                        Stage::kWriting}));
  EXPECT_NE(Render(*result, Format::kJson).find("\"schemaVersion\""), std::string::npos);
}

TEST(PipelineTest, ACancelledStoryStopsAtTheNextBlock) {
  auto source = csv::MemorySource(Sales(20000), "sales.csv");
  StoryRequest request;
  request.block_bytes = 4096;
  request.threads = 2;
  CancelToken cancel;
  int reports_after_cancel = 0;
  auto result = MakeStory(
      *source, request,
      [&](Stage, int percent) {
        if (cancel.cancelled()) ++reports_after_cancel;
        if (percent >= 10) cancel.Cancel();
      },
      &cancel);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kCancelled);
  EXPECT_EQ(result.status().reason(), kCancelledReason);
  EXPECT_LE(reports_after_cancel, 1);
}

// A thread budget of one reads on the calling thread alone; of two, with two workers.
TEST(PipelineTest, TheThreadBudgetIsKept) {
  auto source = csv::MemorySource(Sales(20000), "sales.csv");
  const int before = Threads();
  for (int budget : {1, 2}) {
    StoryRequest request;
    request.block_bytes = 4096;
    request.threads = budget;
    int most = 0;
    auto result = MakeStory(*source, request, [&](Stage s, int) {
      if (s == Stage::kParsing) most = std::max(most, Threads() - before);
    });
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(most, budget == 1 ? 0 : 2) << "budget " << budget;
  }
}

TEST(PipelineTest, FailuresCarryAReason) {
  StoryRequest request;
  request.limits.max_rows = 100;
  auto rows = MakeStory(*csv::MemorySource(Sales(200), "s.csv"), request);
  EXPECT_EQ(rows.status().reason(), csv::kTooManyRows);
  auto empty = MakeStory(*csv::MemorySource("", "empty.csv"), {});
  EXPECT_EQ(empty.status().reason(), kParseError);
  EXPECT_NE(empty.status().message().find("empty.csv: the file is empty"), std::string::npos);
  StoryRequest bad_time;
  bad_time.time_column = "when";
  auto time = MakeStory(*csv::MemorySource(Sales(50), "s.csv"), bad_time);
  EXPECT_EQ(time.status().reason(), table::kInvalidOptions);
  StoryRequest bad_type;
  ASSERT_TRUE(AddTypeOverride("nowhere=date", &bad_type).ok());
  EXPECT_EQ(MakeStory(*csv::MemorySource(Sales(50), "s.csv"), bad_type).status().reason(),
            table::kInvalidOptions);
}

TEST(PipelineTest, OptionsParseAsPeopleTypeThem) {
  EXPECT_EQ(*ParseAudience("technical"), story::Audience::kTechnical);
  EXPECT_FALSE(ParseAudience("ceo").ok());
  EXPECT_EQ(*ParseDelimiter("tab"), '\t');
  EXPECT_EQ(*ParseDelimiter(";"), ';');
  EXPECT_FALSE(ParseDelimiter("\"").ok());
  EXPECT_EQ(*ParseEncoding("latin1"), csv::Encoding::kLatin1);
  EXPECT_EQ(*ParseEncoding("windows-1252"), csv::Encoding::kWindows1252);
  EXPECT_EQ(*ParseFormat("md"), Format::kMarkdown);
  StoryRequest request;
  ASSERT_TRUE(AddTypeOverride("a=b=date", &request).ok());  // the last '=' splits
  EXPECT_EQ(request.types.at("a=b"), table::ColumnType::kDate);
  EXPECT_FALSE(AddTypeOverride("=date", &request).ok());
  EXPECT_FALSE(AddTypeOverride("x=colour", &request).ok());
  EXPECT_EQ(StageName(Stage::kCharting), "charting");
}

}  // namespace
}  // namespace datastory::pipeline
