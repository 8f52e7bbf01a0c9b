#include "story/number_check.h"

#include <gtest/gtest.h>

#include "analysis/profile.h"

namespace datastory::story {
namespace {

Story SalesStory() {
  std::string csv = "date,region,revenue\n";
  const char* regions[] = {"West", "East", "North", "South"};
  for (int m = 0; m < 24; ++m) {
    for (int r = 0; r < 4; ++r) {
      char line[96];
      std::snprintf(line, sizeof(line), "%04d-%02d-10,%s,%d\n", 2023 + m / 12, m % 12 + 1,
                    regions[r], (r == 0 ? 5000 : 1000) + 40 * m + 7 * r);
      csv += line;
    }
  }
  auto source = csv::MemorySource(csv, "sales.csv");
  analysis::ProfileOptions options;
  options.build_cube = true;
  auto profile = analysis::ProfileSource(*source, options);
  EXPECT_TRUE(profile.ok());
  return BuildStory(std::move(profile).value(), {});
}

// A run of digits too long for a double (a column named "x111…1") and one long enough to
// overflow a recursive matcher's stack: indexed and checked without throwing or crashing.
TEST(NumberCheckTest, HugeDigitRunsNeitherThrowNorCrash) {
  const std::string name = "x" + std::string(400, '1');
  std::string csv = name + ",region\n";
  for (int i = 0; i < 30; ++i) csv += std::to_string(i * 3) + (i % 2 ? ",East\n" : ",West\n");
  auto source = csv::MemorySource(csv, std::string(200000, '7') + ".csv");
  analysis::ProfileOptions options;
  options.build_cube = true;
  auto profile = analysis::ProfileSource(*source, options);
  ASSERT_TRUE(profile.ok()) << profile.status().message();
  Story story = BuildStory(std::move(profile).value(), {});
  FactIndex facts(story);
  EXPECT_TRUE(facts.Untraced("the column " + name + " matters").empty());
  const std::string huge(300000, '9');
  EXPECT_EQ(facts.Untraced("a total of " + huge + " was seen"), std::vector<std::string>{huge});
  EXPECT_TRUE(facts.Untraced("about 1 in 2 rows, about 9" + huge + " in 3").size() <= 2);
}

TEST(NumberCheckTest, TheBuiltInTextTracesToFacts) {
  for (Audience audience : {Audience::kExecutive, Audience::kTechnical, Audience::kGeneral}) {
    Story story = SalesStory();
    StoryOptions options;
    options.audience = audience;
    story = BuildStory(std::move(story.profile), options);
    FactIndex facts(story);
    for (const std::string* text : {&story.narratives.summary, &story.narratives.key_findings,
                                    &story.narratives.recommendations}) {
      EXPECT_TRUE(facts.Untraced(*text).empty())
          << AudienceName(audience) << ": " << facts.Untraced(*text).front() << " in " << *text;
    }
    EXPECT_FALSE(story.findings.empty());
  }
}

TEST(NumberCheckTest, CatchesNumbersNoFactSupports) {
  Story story = SalesStory();
  FactIndex facts(story);
  EXPECT_EQ(facts.Untraced("Revenue grew 987654% [i1]."), std::vector<std::string>{"987654%"});
  EXPECT_EQ(facts.Untraced("a total of 7.5 million"), std::vector<std::string>{"7.5 million"});
  EXPECT_TRUE(facts.Untraced("96 rows over 3 columns, Jan 2023 to Dec 2024 [i2, i3]").empty());
  EXPECT_TRUE(facts.Untraced("no numbers at all").empty());
}

}  // namespace
}  // namespace datastory::story
