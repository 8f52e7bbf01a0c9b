// The optional LLM writer against a local stub of an OpenAI-compatible endpoint
// (tests/js/llm_stub.mjs): a faithful answer replaces the text; an unfaithful section, an answer
// that is not JSON, a slow answer, an error, a refused connection or a wrong key each fall back
// to the built-in text, and the story records why.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "child_process.h"
#include "test_paths.h"

extern char** environ;

namespace datastory::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// The stub server, started on a free loopback port and stopped (by its PID) at the end.
class StubServer {
 public:
  explicit StubServer(const std::string& api_key = "")
      : process_({"node", (SourceDir() / "tests" / "js" / "llm_stub.mjs").string()},
                 api_key.empty() ? std::vector<std::string>{}
                                 : std::vector<std::string>{"STUB_API_KEY=" + api_key},
                 /*capture_stdout=*/true) {
    NpmPackage("vega-lite");  // tests/js is installed
    EXPECT_TRUE(process_.started())
        << "cannot start node: install Node.js (scripts/install-deps.sh)";
    const std::string line = process_.ReadLine();  // "PORT <n>"
    if (line.rfind("PORT ", 0) == 0) port_ = std::atoi(line.c_str() + 5);
    EXPECT_GT(port_, 0) << "the stub did not say its port";
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }

 private:
  ChildProcess process_;
  int port_ = 0;
};

struct Outcome {
  CommandResult run;
  json story;
  double seconds = 0;
};

Outcome StoryWith(const std::string& env, const std::string& extra = "") {
  static int n = 0;
  fs::path out = fs::temp_directory_path() / ("datastory-llm-" + std::to_string(getpid()) + "-" +
                                              std::to_string(++n) + ".json");
  auto start = std::chrono::steady_clock::now();
  Outcome o;
  o.run = RunDatastory("story " + Quote(SourceDir() / "examples" / "sales.csv") +
                           " --format json -o " + Quote(out) + " " + extra,
                       env + " ");
  o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (o.run.exit_code == 0) {
    std::ifstream in(out);
    std::stringstream s;
    s << in.rdbuf();
    o.story = json::parse(s.str());
  }
  fs::remove(out);
  return o;
}

std::string Notes(const json& story) { return story["writer"]["notes"].dump(); }

TEST(LlmWriterTest, FaithfulAnswerReplacesTheText) {
  StubServer stub;
  Outcome built_in = StoryWith("");
  for (const char* model : {"faithful", "fenced"}) {
    SCOPED_TRACE(model);
    Outcome o = StoryWith("LLM_BASE_URL=" + stub.url() + " LLM_MODEL=" + model);
    ASSERT_EQ(o.run.exit_code, 0) << o.run.output;
    EXPECT_EQ(o.story["narratives"]["summary"].get<std::string>().rfind("In short: ", 0), 0u);
    EXPECT_NE(o.story["narratives"]["keyFindings"].get<std::string>().find("- Finding: "),
              std::string::npos);
    EXPECT_EQ(o.story["writer"]["name"], std::string("built-in, rephrased by ") + model);
    EXPECT_TRUE(o.story["writer"]["notes"].empty()) << Notes(o.story);
    // The facts themselves do not change.
    EXPECT_EQ(o.story["insights"], built_in.story["insights"]);
  }
}

TEST(LlmWriterTest, UnfaithfulSectionFallsBackAlone) {
  StubServer stub;
  Outcome built_in = StoryWith("");
  Outcome o = StoryWith("LLM_BASE_URL=" + stub.url() + " LLM_MODEL=unfaithful");
  ASSERT_EQ(o.run.exit_code, 0) << o.run.output;
  EXPECT_EQ(o.story["narratives"]["summary"], built_in.story["narratives"]["summary"]);
  EXPECT_NE(o.story["narratives"]["keyFindings"].get<std::string>().find("- Finding: "),
            std::string::npos);
  EXPECT_NE(Notes(o.story).find("summary"), std::string::npos) << Notes(o.story);
  EXPECT_NE(Notes(o.story).find("987654%"), std::string::npos) << Notes(o.story);
  EXPECT_NE(o.run.output.find("987654%"), std::string::npos);  // said on stderr too
}

TEST(LlmWriterTest, FailuresKeepTheBuiltInText) {
  StubServer stub;
  Outcome built_in = StoryWith("");
  struct Case {
    std::string env, note;
  };
  const std::vector<Case> cases = {
      {"LLM_BASE_URL=" + stub.url() + " LLM_MODEL=garbage", "JSON object"},
      {"LLM_BASE_URL=" + stub.url() + " LLM_MODEL=error", "HTTP 500"},
      {"LLM_BASE_URL=" + stub.url() + " LLM_MODEL=slow LLM_TIMEOUT_SECONDS=1", "within 1 s"},
      {"LLM_BASE_URL=http://127.0.0.1:9/v1", "did not answer"},  // nothing listens on port 9
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.env);
    Outcome o = StoryWith(c.env);
    ASSERT_EQ(o.run.exit_code, 0) << o.run.output;
    EXPECT_EQ(o.story["narratives"], built_in.story["narratives"]);
    EXPECT_EQ(o.story["writer"]["name"], "built-in");
    EXPECT_NE(Notes(o.story).find(c.note), std::string::npos) << Notes(o.story);
    EXPECT_LT(o.seconds, 4);  // a slow model costs the timeout, not its delay
  }
}

TEST(LlmWriterTest, ApiKeyIsSentAsABearerToken) {
  StubServer stub("s3cret");
  Outcome ok = StoryWith("LLM_BASE_URL=" + stub.url() + " LLM_MODEL=faithful LLM_API_KEY=s3cret");
  ASSERT_EQ(ok.run.exit_code, 0) << ok.run.output;
  EXPECT_TRUE(ok.story["writer"]["notes"].empty()) << Notes(ok.story);
  Outcome wrong = StoryWith("LLM_BASE_URL=" + stub.url() + " LLM_MODEL=faithful LLM_API_KEY=nope");
  ASSERT_EQ(wrong.run.exit_code, 0) << wrong.run.output;
  EXPECT_NE(Notes(wrong.story).find("HTTP 401"), std::string::npos) << Notes(wrong.story);
  EXPECT_EQ(wrong.story["writer"]["name"], "built-in");
}

TEST(LlmWriterTest, SettingsAreCheckedAtStartAndCanBeTurnedOff) {
  Outcome bad = StoryWith("LLM_BASE_URL=ftp://example");
  EXPECT_EQ(bad.run.exit_code, 78);
  EXPECT_NE(bad.run.output.find("LLM_BASE_URL"), std::string::npos) << bad.run.output;
  Outcome timeout = StoryWith("LLM_BASE_URL=http://127.0.0.1:9 LLM_TIMEOUT_SECONDS=soon");
  EXPECT_EQ(timeout.run.exit_code, 78);
  EXPECT_NE(timeout.run.output.find("LLM_TIMEOUT_SECONDS"), std::string::npos);
  Outcome off = StoryWith("LLM_BASE_URL=http://127.0.0.1:9/v1", "--no-llm");
  ASSERT_EQ(off.run.exit_code, 0) << off.run.output;
  EXPECT_EQ(off.story["writer"]["name"], "built-in");
  EXPECT_TRUE(off.story["writer"]["notes"].empty());
}

}  // namespace
}  // namespace datastory::testing
