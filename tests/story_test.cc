// `datastory story` end to end: the JSON contract of DESIGN.md §4 on every vega-datasets CSV,
// every number of every narrative traced to a fact, the same bytes on every run, every chart
// compiled by vega-lite and rendered by vega, and a story (never a crash) for awkward tables.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "test_paths.h"

namespace datastory::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

fs::path TempDir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("datastory-story-test-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::vector<fs::path> VegaCsvs() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(NpmPackage("vega-datasets") / "data")) {
    if (entry.path().extension() == ".csv") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  files.push_back(SourceDir() / "examples" / "sales.csv");
  return files;
}

json StoryJson(const fs::path& csv, const std::string& audience, const fs::path& out) {
  CommandResult r = RunDatastory("story " + Quote(csv) + " --format json --audience " + audience +
                                 " -o " + Quote(out));
  EXPECT_EQ(r.exit_code, 0) << csv << ": " << r.output;
  if (r.exit_code != 0) return json();
  return json::parse(ReadFile(out));
}

// ---- the number check ---------------------------------------------------------------------

// The numbers a narrative may print: every fact of every insight (shares also as percentages),
// the story's own counts, and the digits inside names, labels and dates.
struct Allowed {
  std::vector<double> values;
  bool tiny_p = false;  // some p-value is below 0.001, so "p < 0.001" may be written
  std::vector<double> shares;

  void AddDigits(const std::string& text) {
    static const std::regex run(R"(\d+(\.\d+)?)");
    for (std::sregex_iterator it(text.begin(), text.end(), run), end; it != end; ++it) {
      values.push_back(std::stod(it->str()));
    }
    static const std::regex grouped(R"(\d[\d,]*\d)");  // "1,234" inside a name
    for (std::sregex_iterator it(text.begin(), text.end(), grouped), end; it != end; ++it) {
      std::string digits = it->str();
      digits.erase(std::remove(digits.begin(), digits.end(), ','), digits.end());
      values.push_back(std::stod(digits));
    }
  }
};

Allowed CollectFacts(const json& story) {
  Allowed a;
  std::map<std::string, double> scale_of;  // columns written times a scale (rates in percent)
  for (const json& column : story["columns"]) {
    if (column.contains("displayScale")) scale_of[column["name"]] = column["displayScale"];
  }
  for (const json& insight : story["insights"]) {
    const auto it =
        insight["columns"].empty() ? scale_of.end() : scale_of.find(insight["columns"][0]);
    const double scale = it == scale_of.end() ? 1 : it->second;
    for (const json& fact : insight["facts"]) {
      if (fact.contains("label")) {
        a.AddDigits(fact["label"].get<std::string>());
        continue;
      }
      const std::string unit = fact["unit"];
      if (unit == "time") {
        a.AddDigits(fact["value"].get<std::string>());
        a.AddDigits(fact["text"].get<std::string>());  // "2024 Q2", "Mar 4, 2024"
        continue;
      }
      if (fact["value"].is_null()) continue;
      double v = fact["value"];
      a.values.push_back(v);
      a.values.push_back(std::fabs(v));
      if (unit == "measure" && scale != 1) {  // a rate kept as 0–1, written in percent
        a.values.push_back(v * scale);
        a.values.push_back(std::fabs(v * scale));
      }
      if (unit == "share") {
        a.values.push_back(v * 100);
        a.shares.push_back(v);
      }
      if (unit == "pValue" && v < 0.001) a.tiny_p = true;
    }
    for (const json& column : insight["columns"]) a.AddDigits(column.get<std::string>());
    for (const auto& [dimension, category] : insight["subspace"].items()) {
      a.AddDigits(dimension);
      a.AddDigits(category.get<std::string>());
    }
  }
  if (story.contains("statistics") && story["statistics"].contains("measures")) {
    for (const json& m : story["statistics"]["measures"]) {
      if (m["total"].is_number()) a.values.push_back(m["total"].get<double>());
    }
  }
  for (const auto& [key, value] : story["storyFacts"].items()) {
    if (value.is_number()) a.values.push_back(value.get<double>());
    if (value.is_string()) a.AddDigits(value.get<std::string>());
  }
  for (const json& column : story["columns"]) a.AddDigits(column["name"].get<std::string>());
  a.AddDigits(story["title"].get<std::string>());
  return a;
}

// The half-width of the last printed digit: "1.2M" → 0.05e6, "23" → 0.5, "0.88" → 0.005.
double Tolerance(const std::string& digits, double scale) {
  size_t dot = digits.find('.');
  int decimals = dot == std::string::npos ? 0 : static_cast<int>(digits.size() - dot - 1);
  return 0.5 * std::pow(10.0, -decimals) * scale * (1 + 1e-9);
}

// Every number printed in `text` that no fact supports.
// What a careful editor would strike in a narrative: a word said twice in a row ("total
// total"), a sentence or a list item that starts with a small letter.
std::vector<std::string> TextFaults(const std::string& text) {
  std::vector<std::string> faults;
  static const std::regex doubled(R"(\b(\w+) \1\b)", std::regex::icase);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), doubled);
       it != std::sregex_iterator(); ++it) {
    faults.push_back("doubled word: " + it->str());
  }
  static const std::regex small_start(R"((^|[.!?] |\n- )[a-z]\w*)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), small_start);
       it != std::sregex_iterator(); ++it) {
    faults.push_back("small letter: " + it->str());
  }
  return faults;
}

std::vector<std::string> UntracedNumbers(std::string text, const Allowed& allowed) {
  // Insight references, and the p-value floor when some p is below it.
  text = std::regex_replace(text, std::regex(R"(\[i\d+(, i\d+)*\])"), "");
  if (allowed.tiny_p) text = std::regex_replace(text, std::regex(R"(p < 0\.001)"), "");
  std::vector<std::string> untraced;
  // "about 3 in 4": the fraction must be within 3 points of a share.
  static const std::regex fraction(R"(about (\d+) in (\d+))");
  std::smatch m;
  while (std::regex_search(text, m, fraction)) {
    double f = std::stod(m[1]) / std::stod(m[2]);
    bool ok = false;
    for (double s : allowed.shares) ok |= std::fabs(s - f) <= 0.03;
    if (!ok) untraced.push_back(m.str());
    text = m.prefix().str() + m.suffix().str();
  }
  static const std::regex number(R"((\d[\d,]*(?:\.\d+)?)(K|M|B|T)?)");
  for (std::sregex_iterator it(text.begin(), text.end(), number), end; it != end; ++it) {
    std::string digits = (*it)[1];
    digits.erase(std::remove(digits.begin(), digits.end(), ','), digits.end());
    if (!digits.empty() && digits.back() == '.') digits.pop_back();
    const std::string suffix = (*it)[2];
    double scale = suffix == "K"   ? 1e3
                   : suffix == "M" ? 1e6
                   : suffix == "B" ? 1e9
                   : suffix == "T" ? 1e12
                                   : 1;
    double printed = std::stod(digits) * scale;
    double tolerance = Tolerance(digits, scale);
    bool ok = false;
    for (double v : allowed.values) {
      if (std::fabs(std::fabs(v) - printed) <= tolerance + 1e-9 * std::fabs(v)) {
        ok = true;
        break;
      }
    }
    if (!ok) untraced.push_back(it->str());
  }
  return untraced;
}

TEST(StoryNumberCheck, CatchesANumberNoFactSupports) {
  json story = {
      {"title", "T"},
      {"columns", json::array({{{"name", "revenue"}}})},
      {"storyFacts", {{"rows", 500}}},
      {"insights",
       json::array(
           {{{"columns", {"revenue"}},
             {"subspace", json::object()},
             {"facts",
              json::array({{{"name", "changePct"}, {"unit", "percent"}, {"value", 23.4}},
                           {{"name", "share"}, {"unit", "share"}, {"value", 0.74}},
                           {{"name", "fitEnd"}, {"unit", "measure"}, {"value", 1234567.0}}})}}})}};
  Allowed a = CollectFacts(story);
  EXPECT_TRUE(UntracedNumbers("Revenue rose 23% to $1.23M over 500 rows [i1].", a).empty());
  EXPECT_TRUE(UntracedNumbers("about 3 in 4 of it", a).empty());
  EXPECT_EQ(UntracedNumbers("Revenue rose 25%.", a), std::vector<std::string>{"25"});
  EXPECT_EQ(UntracedNumbers("to $1.3M", a), std::vector<std::string>{"1.3M"});
  EXPECT_EQ(UntracedNumbers("about 1 in 2", a), std::vector<std::string>{"about 1 in 2"});
  EXPECT_EQ(UntracedNumbers("p < 0.001", a).size(), 1u);  // no p-value that small
}

// ---- the contract -----------------------------------------------------------------------

void ExpectContract(const json& s) {
  for (const char* key :
       {"schemaVersion", "title", "audienceLevel", "dataset", "columns", "narratives", "insights",
        "charts", "statistics", "alerts", "keyFigures", "processingTime"}) {
    EXPECT_TRUE(s.contains(key)) << key;
  }
  if (!s.contains("dataset")) return;
  for (const char* key :
       {"originalFilename", "rowCount", "columnCount", "fileSize", "dialect", "sampled"}) {
    EXPECT_TRUE(s["dataset"].contains(key)) << key;
  }
  for (const char* key : {"summary", "keyFindings", "recommendations"}) {
    EXPECT_TRUE(s["narratives"][key].is_string()) << key;
    EXPECT_FALSE(s["narratives"][key].get<std::string>().empty()) << key;
  }
  for (const char* key : {"distributions", "correlations", "trends", "measures"}) {
    EXPECT_TRUE(s["statistics"][key].is_array()) << key;
  }
  static const std::set<std::string> kTypes = {
      "trend",           "change_point",     "seasonality",        "outlier",      "correlation",
      "top_contributor", "majority",         "evenness",           "distribution", "data_quality",
      "outcome_rate",    "outcome_by_group", "outcome_difference", "loss",         "margin"};
  std::set<std::string> ids;
  for (const json& in : s["insights"]) {
    EXPECT_TRUE(kTypes.count(in["type"].get<std::string>())) << in["type"];
    ids.insert(in["id"].get<std::string>());
    for (const char* key : {"significance", "impact", "score"}) {
      double v = in[key];
      EXPECT_GE(v, 0) << key;
      EXPECT_LE(v, 1) << key;
    }
    EXPECT_FALSE(in["text"].get<std::string>().empty());
  }
  std::set<std::string> chart_ids;
  for (const json& c : s["charts"]) {
    EXPECT_TRUE(ids.count(c["insightId"].get<std::string>())) << c["insightId"];
    EXPECT_TRUE(chart_ids.insert(c["id"].get<std::string>()).second) << c["id"];
    EXPECT_TRUE(c["vegaLite"].is_object());
  }
}

TEST(StoryTest, TextFaultsAreFound) {
  EXPECT_EQ(TextFaults("Total total sales rose. the rest fell.\n- north led.").size(), 3u);
  EXPECT_TRUE(TextFaults("Sales rose 1.5 times. It fell 3.2% in Q1.\n- North led.").empty());
}

TEST(StoryTest, EveryVegaDatasetGivesAStoryWhoseNumbersAreFacts) {
  fs::path dir = TempDir("vega");
  int stories = 0, findings = 0;
  for (const fs::path& csv : VegaCsvs()) {
    for (const std::string audience : {"executive", "technical", "general"}) {
      SCOPED_TRACE(csv.filename().string() + " " + audience);
      fs::path out = dir / (csv.stem().string() + "." + audience + ".json");
      json s = StoryJson(csv, audience, out);
      if (s.is_null()) continue;
      ++stories;
      ExpectContract(s);
      EXPECT_EQ(s["audienceLevel"], audience);
      Allowed allowed = CollectFacts(s);
      for (const char* section : {"summary", "keyFindings", "recommendations"}) {
        // A fact the text asked for and the insight did not have is written "?".
        EXPECT_EQ(s["narratives"][section].get<std::string>().find('?'), std::string::npos)
            << section << ": a missing fact in " << s["narratives"][section];
        for (const std::string& fault : TextFaults(s["narratives"][section])) {
          ADD_FAILURE() << section << ": " << fault;
        }
        for (const std::string& n :
             UntracedNumbers(s["narratives"][section].get<std::string>(), allowed)) {
          ADD_FAILURE() << section << ": \"" << n << "\" is not a fact in:\n"
                        << s["narratives"][section].get<std::string>();
        }
      }
      // The audiences differ: an executive gets the few findings that call for a decision,
      // and neither an executive nor a general reader gets Greek letters, tests or insight ids
      // (a general reader not even a correlation coefficient).
      const size_t most = audience == "executive" ? 3 : audience == "general" ? 5 : 8;
      EXPECT_LE(s["findings"].size(), most);
      if (audience != "technical") {
        std::vector<std::string> jargon = {"η", "ρ", "τ", "χ", "Cramér", "[i", "p <", "p = "};
        if (audience == "general") jargon.push_back("r = ");
        for (const char* section : {"summary", "keyFindings", "recommendations"}) {
          const std::string text = s["narratives"][section];
          for (const std::string& word : jargon) {
            EXPECT_EQ(text.find(word), std::string::npos) << section << " says " << word;
          }
        }
      }
      findings += static_cast<int>(s["findings"].size());
    }
  }
  EXPECT_EQ(stories, 3 * static_cast<int>(VegaCsvs().size()));
  EXPECT_GT(findings, stories);  // more than one finding per story on average
}

// Runs a node script of tests/js with `args`; returns its exit code and output.
CommandResult RunNode(const std::string& script, const std::string& args) {
  CommandResult r;
  std::string command =
      "cd " + Quote(SourceDir() / "tests" / "js") + " && node " + script + " " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return r;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) r.output.append(buffer, n);
  int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

TEST(StoryTest, EveryChartCompilesWithVegaLiteAndRendersWithVega) {
  fs::path dir = TempDir("charts");
  std::string files;
  for (const fs::path& csv : VegaCsvs()) {
    for (const std::string audience : {"executive", "technical"}) {  // technical: more charts
      fs::path out = dir / (csv.stem().string() + "." + audience + ".json");
      StoryJson(csv, audience, out);
      files += " " + Quote(out);
    }
  }
  NpmPackage("vega-lite");
  CommandResult r = RunNode("check_vega.mjs", files);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find(" charts checked, 0 failed"), std::string::npos) << r.output;
}

// Every page, opened in headless Chromium: sections present, charts drawn, no label colliding
// with another or spilling out of its chart, nothing fetched from outside the file, and the
// print layout renders. Screenshots land beside the pages.
TEST(StoryTest, EveryPageReadsCleanlyInChromium) {
  ASSERT_TRUE(fs::exists("/usr/bin/chromium"))
      << "Chromium is missing: run scripts/install-deps.sh (apt-get install chromium)";
  NpmPackage("playwright-core");
  fs::path dir = TempDir("pages");
  std::string files;
  for (const fs::path& csv : VegaCsvs()) {
    fs::path out = dir / (csv.stem().string() + ".html");
    CommandResult r = RunDatastory("story " + Quote(csv) + " -o " + Quote(out));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    files += " " + Quote(out);
  }
  CommandResult r = RunNode("check_page.mjs", files);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.find("FAIL"), std::string::npos) << r.output;
  EXPECT_TRUE(fs::exists(dir / "sales.png"));
  EXPECT_GT(fs::file_size(dir / "sales.png"), 20000u);  // a real picture, not a blank page
}

// The same file and options give the same bytes, on one thread or several.
TEST(StoryTest, Deterministic) {
  fs::path dir = TempDir("determinism");
  for (const char* name : {"stocks.csv", "seattle-weather.csv"}) {
    fs::path csv = NpmPackage("vega-datasets") / "data" / name;
    for (const char* format : {"html", "md", "json"}) {
      SCOPED_TRACE(std::string(name) + " " + format);
      std::vector<std::string> outputs;
      for (const char* threads : {"1", "2", "2"}) {
        fs::path out = dir / (std::string("out.") + threads + "." + format);
        CommandResult r = RunDatastory("story " + Quote(csv) + " --threads " + threads +
                                       " --format " + format + " -o " + Quote(out));
        ASSERT_EQ(r.exit_code, 0) << r.output;
        std::string text = ReadFile(out);
        if (std::string(format) == "json") {
          text = std::regex_replace(text, std::regex(R"("processingTime": \d+)"), "");
        }
        outputs.push_back(text);
      }
      EXPECT_EQ(outputs[0], outputs[1]);
      EXPECT_EQ(outputs[1], outputs[2]);
    }
  }
}

// ---- awkward tables: a story that says what it could not do, never a crash -----------------

struct Awkward {
  std::string name;
  std::string csv;
  std::string expect;  // a phrase the story must contain
};

std::vector<Awkward> AwkwardTables() {
  std::vector<Awkward> cases = {
      {"no_numbers", "city,country\nParis,France\nLyon,France\nRome,Italy\n", "No numeric measure"},
      {"one_row", "date,sales\n2024-01-01,10\n", "No categorical column"},
      {"no_time", "region,sales\nNorth,10\nSouth,20\nNorth,15\nEast,12\n",
       "No date or year column"},
      {"all_missing", "a,b,c\n,,\n,,\n,,\n", "No numeric measure"},
      // A constant column is a data note, not a finding.
      {"constant", "date,k,v\n2024-01-01,x,5\n2024-01-02,x,5\n2024-01-03,x,5\n2024-01-04,x,5\n",
       "v has a constant value"},
  };
  // 2,000 columns of numbers, 50 rows.
  std::string wide;
  for (int c = 0; c < 2000; ++c) wide += (c ? ",c" : "c") + std::to_string(c);
  wide += "\n";
  for (int r = 0; r < 50; ++r) {
    for (int c = 0; c < 2000; ++c) wide += (c ? "," : "") + std::to_string((r * 7 + c * 13) % 97);
    wide += "\n";
  }
  cases.push_back({"wide", wide, "No date or year column"});
  return cases;
}

TEST(StoryTest, AwkwardTablesGetAStoryThatSaysWhatItCouldNotDo) {
  fs::path dir = TempDir("awkward");
  for (const Awkward& a : AwkwardTables()) {
    SCOPED_TRACE(a.name);
    fs::path csv = dir / (a.name + ".csv");
    std::ofstream(csv) << a.csv;
    for (const char* format : {"json", "html", "md"}) {
      fs::path out = dir / (a.name + "." + format);
      CommandResult r =
          RunDatastory("story " + Quote(csv) + " --format " + format + " -o " + Quote(out));
      ASSERT_EQ(r.exit_code, 0) << format << ": " << r.output;
      std::string text = ReadFile(out);
      EXPECT_NE(text.find(std::string(format) == "json" ? "\"summary\"" : "Summary"),
                std::string::npos)
          << format;
      if (std::string(format) == "json") {
        json s = json::parse(text);
        ExpectContract(s);
        EXPECT_NE(s.dump().find(a.expect), std::string::npos) << s["narratives"].dump(2);
      } else {
        EXPECT_NE(text.find(a.expect), std::string::npos) << text.substr(0, 2000);
      }
    }
  }
}

TEST(StoryTest, BadInputGetsAClearErrorAndNoOutputFile) {
  fs::path dir = TempDir("bad");
  fs::path out = dir / "story.html";
  CommandResult r = RunDatastory("story " + Quote(dir / "missing.csv") + " -o " + Quote(out));
  EXPECT_EQ(r.exit_code, 66) << r.output;
  EXPECT_NE(r.output.find("missing.csv"), std::string::npos);
  EXPECT_FALSE(fs::exists(out));
  fs::path header_only = dir / "header.csv";
  std::ofstream(header_only) << "a,b\n";
  r = RunDatastory("story " + Quote(header_only) + " -o " + Quote(out));
  EXPECT_EQ(r.exit_code, 65) << r.output;
  EXPECT_FALSE(fs::exists(out));
  r = RunDatastory("story " + Quote(SourceDir() / "examples" / "sales.csv") + " --time nope -o " +
                   Quote(out));
  EXPECT_EQ(r.exit_code, 65) << r.output;
  EXPECT_NE(r.output.find("the time column 'nope' is not in the file"), std::string::npos)
      << r.output;
  r = RunDatastory("story " + Quote(SourceDir() / "examples" / "sales.csv") + " --audience ceo");
  EXPECT_NE(r.exit_code, 0);
}

}  // namespace
}  // namespace datastory::testing
