// The module graph of DESIGN.md §5, enforced: every `#include "module/…"` in src/ must point
// down the graph (directly or through modules it depends on), so a boundary fails the build's
// tests instead of relying on care. And `config` is the one module that reads the environment.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "test_paths.h"

namespace datastory::testing {
namespace {

namespace fs = std::filesystem;

// Each module and the modules it may include directly; what those may include is allowed too.
// `datastory/` (include/) is the public API every module may use.
const std::map<std::string, std::set<std::string>>& Graph() {
  static const std::map<std::string, std::set<std::string>> graph = {
      {"base", {}},
      {"csv", {"base"}},
      {"table", {"csv"}},
      {"analysis", {"table"}},
      {"story", {"analysis"}},
      {"render", {"story"}},
      {"pipeline", {"render"}},
      {"net", {"base"}},
      {"llm", {"net", "story"}},
      {"auth", {"base"}},
      {"store", {"base"}},
      {"blob", {"net"}},
      {"config", {"base"}},
      {"service", {"store", "blob", "auth", "pipeline"}},
      {"jobs", {"service"}},
      {"http", {"service"}},
      {"cli", {"http", "jobs", "config", "llm"}},
  };
  return graph;
}

std::set<std::string> Reachable(const std::string& module) {
  std::set<std::string> seen;
  std::vector<std::string> todo = {module};
  while (!todo.empty()) {
    const std::string m = todo.back();
    todo.pop_back();
    if (!seen.insert(m).second) continue;
    auto it = Graph().find(m);
    if (it != Graph().end()) todo.insert(todo.end(), it->second.begin(), it->second.end());
  }
  return seen;
}

std::string Read(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(LayoutTest, EveryIncludeFollowsTheModuleGraph) {
  const std::regex include_line(R"re(#include "([a-z_]+)/)re");
  int checked = 0;
  for (const auto& entry : fs::recursive_directory_iterator(SourceDir() / "src")) {
    if (!entry.is_regular_file()) continue;
    const fs::path path = entry.path();
    const std::string name = path.filename().string();
    if (path.extension() != ".h" && path.extension() != ".cc") continue;
    const std::string module = fs::relative(path, SourceDir() / "src").begin()->string();
    ASSERT_TRUE(Graph().count(module)) << "src/" << module << " is not in the module graph";
    // Tests may reach further (a test helper of a lower module, say); the code may not.
    if (name.find("_test.cc") != std::string::npos ||
        path.string().find("/testing/") != std::string::npos) {
      continue;
    }
    const std::set<std::string> allowed = Reachable(module);
    const std::string text = Read(path);
    for (std::sregex_iterator it(text.begin(), text.end(), include_line), end; it != end; ++it) {
      const std::string target = (*it)[1];
      if (target == "datastory") continue;
      ++checked;
      EXPECT_TRUE(allowed.count(target))
          << fs::relative(path, SourceDir()).string() << " includes " << target
          << "/, which module " << module << " must not depend on (DESIGN.md §5)";
    }
  }
  EXPECT_GT(checked, 100);  // the walk saw the code
}

TEST(LayoutTest, OnlyConfigReadsTheEnvironment) {
  const std::regex reads_environment(R"re(\b(std::)?(secure_)?getenv\s*\(|\benviron\b)re");
  int files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(SourceDir() / "src")) {
    if (!entry.is_regular_file()) continue;
    const fs::path path = entry.path();
    if (path.extension() != ".h" && path.extension() != ".cc") continue;
    ++files;
    const std::string relative = fs::relative(path, SourceDir() / "src").string();
    // Tests and their helpers (testing/) read the test servers' settings, as a test runner sets.
    if (relative.rfind("config/", 0) == 0 || relative.find("_test.cc") != std::string::npos ||
        relative.find("/testing/") != std::string::npos) {
      continue;
    }
    // A function parameter named getenv (blob, llm) is a lookup handed in by config, not a read.
    std::string text = Read(path);
    text = std::regex_replace(text, std::regex(R"re(&\s*getenv\b|getenv\(name\))re"), "");
    EXPECT_FALSE(std::regex_search(text, reads_environment))
        << "src/" << relative << " reads the environment; only src/config/ may";
  }
  EXPECT_GT(files, 50);
}

}  // namespace
}  // namespace datastory::testing
