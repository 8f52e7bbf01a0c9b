// The story cases of tests/stories/: each CSV is told as a story, and its .expect file says
// what the narratives must say and must not (tests/stories/README.md). One test per case,
// named after it, so that a regression names its case.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "test_paths.h"

namespace datastory::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path CasesDir() { return SourceDir() / "tests" / "stories"; }

std::vector<std::string> CaseNames() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(CasesDir())) {
    if (entry.path().extension() == ".expect") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

struct Expectation {
  int line = 0;
  std::string kind;  // says, says-exactly, never, not-a-finding, figure
  std::string text;
};

struct Case {
  std::string audience = "executive";
  std::vector<Expectation> expectations;
};

Case ReadCase(const std::string& name) {
  Case c;
  std::ifstream in(CasesDir() / (name + ".expect"));
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.find(' ');
    const std::string kind = line.substr(0, space);
    const std::string text = space == std::string::npos ? "" : line.substr(space + 1);
    if (kind == "audience") {
      c.audience = text;
    } else if (kind == "says" || kind == "never" || kind == "not-a-finding") {
      c.expectations.push_back({number, kind, Lower(text)});
    } else if (kind == "says-exactly" || kind == "figure") {
      c.expectations.push_back({number, kind, text});
    } else {
      ADD_FAILURE() << name << ".expect:" << number << ": unknown line \"" << line << "\"";
    }
  }
  EXPECT_FALSE(c.expectations.empty()) << name << ".expect expects nothing";
  return c;
}

class StoryCaseTest : public ::testing::TestWithParam<std::string> {};

TEST_P(StoryCaseTest, SaysWhatItMustAndNothingItMustNot) {
  const std::string name = GetParam();
  const Case c = ReadCase(name);
  const fs::path out = fs::temp_directory_path() / ("datastory-case-" + name + ".json");
  CommandResult r = RunDatastory("story " + Quote(CasesDir() / (name + ".csv")) +
                                 " --format json --audience " + c.audience + " -o " + Quote(out));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::ifstream file(out);
  std::stringstream bytes;
  bytes << file.rdbuf();
  const json story = json::parse(bytes.str());
  fs::remove(out);
  const json& n = story.at("narratives");
  const std::string exact = n.at("summary").get<std::string>() + "\n" +
                            n.at("keyFindings").get<std::string>() + "\n" +
                            n.at("recommendations").get<std::string>();
  const std::string findings = Lower(n.at("keyFindings").get<std::string>());
  const std::string all = Lower(exact);
  // A fact the text asked for and the insight did not have is written "?": never shown.
  EXPECT_EQ(exact.find('?'), std::string::npos) << name << ": a missing fact in\n" << exact;
  for (const Expectation& e : c.expectations) {
    const std::string where = name + ".expect:" + std::to_string(e.line) + ": " + e.kind + " " +
                              e.text + "\n" + n.dump(2);
    if (e.kind == "says") {
      EXPECT_NE(all.find(e.text), std::string::npos) << where;
    } else if (e.kind == "says-exactly") {
      EXPECT_NE(exact.find(e.text), std::string::npos) << where;
    } else if (e.kind == "never") {
      EXPECT_EQ(all.find(e.text), std::string::npos) << where;
    } else if (e.kind == "not-a-finding") {
      EXPECT_EQ(findings.find(e.text), std::string::npos) << where;
    } else if (e.kind == "figure") {
      std::string figures;
      for (const json& f : story.at("keyFigures")) {
        figures += f.at("label").get<std::string>() + ": " + f.at("text").get<std::string>() + "\n";
      }
      EXPECT_NE(figures.find(e.text + "\n"), std::string::npos) << where << "\n" << figures;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, StoryCaseTest, ::testing::ValuesIn(CaseNames()),
                         [](const auto& info) {
                           std::string id = info.param;
                           for (char& ch : id) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return id;
                         });

}  // namespace
}  // namespace datastory::testing
