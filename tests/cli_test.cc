// Bad input gets a clear answer: one line naming the file and what is wrong, a non-zero exit
// code, never a crash or a hang.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>

#include "store/migrations.h"
#include "test_paths.h"

namespace datastory::testing {
namespace {

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("ds-cli-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path Write(const std::string& name, const std::string& bytes) {
    auto p = dir_ / name;
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }
  void ExpectOneLineError(const CommandResult& r, int code, const std::string& fragment) {
    EXPECT_EQ(r.exit_code, code) << r.output;
    EXPECT_NE(r.output.find(fragment), std::string::npos) << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
    EXPECT_EQ(r.output.rfind("datastory: ", 0), 0u) << r.output;
  }
  std::filesystem::path dir_;
};

TEST_F(CliTest, BadInputs) {
  ExpectOneLineError(RunDatastory("profile " + Quote(Write("empty.csv", ""))), 65,
                     "the file is empty");
  ExpectOneLineError(RunDatastory("profile " + Quote(Write("header.csv", "a,b,c\n"))), 65,
                     "no data rows");
  ExpectOneLineError(
      RunDatastory("profile " + Quote(Write("img.csv", "\x89PNG\r\n\x1a\n\0\0\0\rIHDR"))), 65,
      "PNG image");
  ExpectOneLineError(
      RunDatastory("profile " + Quote(Write("zip.csv", std::string("PK\x03\x04\x14\0\0\0", 8)))),
      65, "ZIP archive");
  ExpectOneLineError(
      RunDatastory("profile " + Quote(Write("nul.csv", std::string("a,b\n1,\0\0\0\n", 10)))), 65,
      "NUL byte at offset 6 (3, in a run)");
  std::string junk;
  for (int i = 0; i < 4096; ++i) junk += static_cast<char>(0x80 + (i * 37) % 128);
  ExpectOneLineError(RunDatastory("profile " + Quote(Write("junk.csv", junk))), 65,
                     "invalid UTF-8");
  ExpectOneLineError(
      RunDatastory("profile --encoding utf-8 " + Quote(Write("latin.csv", "a\nM\xFCnchen\n"))), 65,
      "invalid UTF-8 at byte offset 3");
  ExpectOneLineError(RunDatastory("profile " + Quote(dir_)), 65, "is a directory");
  ExpectOneLineError(RunDatastory("profile " + Quote(dir_ / "missing.csv")), 66, "no such file");
  auto secret = Write("secret.csv", "a\n1\n");
  std::filesystem::permissions(secret, std::filesystem::perms::none);
  // Root reads anything: as root (CI), read as the unprivileged user "nobody" instead.
  std::string as_user = geteuid() == 0 ? "setpriv --reuid=65534 --regid=65534 --clear-groups " : "";
  ExpectOneLineError(RunDatastory("profile " + Quote(secret), as_user), 77, "permission denied");
  // A FIFO would block a reader that opened it: refused before opening.
  auto fifo = dir_ / "fifo.csv";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  ExpectOneLineError(RunDatastory("profile " + Quote(fifo)), 65, "not a regular file");
}

TEST_F(CliTest, OneHundredMegabyteLine) {
  std::string line(100 << 20, 'x');
  auto r = RunDatastory("profile " + Quote(Write("long.csv", line)));
  ExpectOneLineError(r, 65, "line 1: a record longer than 16 MiB");
  auto r2 = RunDatastory("profile " + Quote(Write("long2.csv", "a,b\n1,2\n" + line + "\n3,4\n")));
  ExpectOneLineError(r2, 65, "line 3: a record longer than 16 MiB");
}

TEST_F(CliTest, UsageErrors) {
  auto r = RunDatastory("profile --type nonsense " + Quote(Write("ok.csv", "a\n1\n")));
  EXPECT_EQ(r.exit_code, 64) << r.output;
  EXPECT_NE(r.output.find("COLUMN=KIND"), std::string::npos);
  auto r2 = RunDatastory("profile --type a=colour " + Quote(Write("ok2.csv", "a\n1\n")));
  EXPECT_EQ(r2.exit_code, 64);
  EXPECT_NE(r2.output.find("unknown kind \"colour\""), std::string::npos) << r2.output;
  EXPECT_EQ(RunDatastory("frobnicate").exit_code, 64);
}

TEST_F(CliTest, OverridesWin) {
  auto file = Write("o.csv", "1;2\n3;4\n");
  auto r = RunDatastory("profile --json --delimiter tab --no-header " + Quote(file));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j["dataset"]["dialect"]["delimiter"], "\t");
  EXPECT_EQ(j["dataset"]["rowCount"], 2);
  EXPECT_EQ(j["columns"][0]["type"], "categorical");
  auto typed = RunDatastory("profile --json --type column_1=text --no-header " + Quote(file));
  EXPECT_EQ(nlohmann::json::parse(typed.output)["columns"][0]["type"], "text");
}

TEST_F(CliTest, TextReportKeepsOneLinePerColumn) {
  auto r =
      RunDatastory("profile " + Quote(Write("t.tsv", "a\tb\n\"x\ty\"\t1\n\"line\nbreak\"\t2\n")));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("line\\nbreak (1)"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("line\nbreak"), std::string::npos) << r.output;
}

TEST_F(CliTest, JsonShapeOfDesignDoc) {
  auto r = RunDatastory("profile --json " + Quote(SourceDir() / "examples" / "sales.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j["dataset"]["rowCount"], 500);
  EXPECT_EQ(j["dataset"]["dialect"]["encoding"], "utf-8");
  const auto& d = j["statistics"]["distributions"][3];
  for (const char* key : {"column", "count", "missing", "mean", "std", "min", "p25", "median",
                          "p75", "max", "distinct", "histogram"}) {
    EXPECT_TRUE(d.contains(key)) << key;
  }
  EXPECT_EQ(d["histogram"]["edges"].size(), d["histogram"]["counts"].size() + 1);
  const auto& c = j["statistics"]["correlations"][0];
  EXPECT_EQ(c["method"], "pearson");
  EXPECT_EQ(c["columns"].size(), 2u);
  EXPECT_TRUE(j["alerts"].is_array());
  EXPECT_EQ(j["columns"][4]["unit"], "currency");
  // The text report is an aligned table.
  auto text = RunDatastory("profile " + Quote(SourceDir() / "examples" / "sales.csv"));
  EXPECT_NE(text.output.find("unit_price          float $      measure"), std::string::npos)
      << text.output;
}

// `datastory migrate`: the schema of DATABASE_URL brought up to date, twice is harmless, and a
// bad URL fails at once naming the variable.
TEST(MigrateCommandTest, AppliesTheSchemaOnce) {
  auto dir = std::filesystem::temp_directory_path() / "datastory-cli-migrate";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string env = "DATABASE_URL=sqlite://" + (dir / "db.sqlite").string() + " ";
  for (int i = 0; i < 2; ++i) {
    auto r = RunDatastory("migrate", env);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    const int latest = store::Migrations(store::Dialect::kSqlite).back().version;
    EXPECT_NE(r.output.find("schema version " + std::to_string(latest)), std::string::npos)
        << r.output;
  }
  auto mongo = RunDatastory("migrate", "DATABASE_URL=mongodb://localhost/db ");
  EXPECT_EQ(mongo.exit_code, 78) << mongo.output;
  EXPECT_NE(mongo.output.find("DATABASE_URL: mongodb:// is not supported, use postgres:// or "
                              "sqlite://"),
            std::string::npos)
      << mongo.output;
  // A malformed URL fails at once (not after the reconnect window), names the variable, exits
  // 78, and never repeats the password.
  for (const char* url :
       {"postgres://app:hunter2@localhost:notaport/x", "postgres://app:hun%zzter2@localhost/x",
        "postgres://app:hunter2@localhost/x?sslmode=sometimes"}) {
    const auto start = std::chrono::steady_clock::now();
    auto bad = RunDatastory("migrate", "DATABASE_URL='" + std::string(url) + "' ");
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5)) << url;
    EXPECT_EQ(bad.exit_code, 78) << bad.output;
    EXPECT_EQ(bad.output.rfind("datastory: DATABASE_URL: ", 0), 0u) << bad.output;
    EXPECT_EQ(bad.output.find("hunter2"), std::string::npos) << bad.output;
    EXPECT_EQ(bad.output.find("hun%zzter2"), std::string::npos) << bad.output;
  }
  auto nowhere = RunDatastory("migrate", "DATABASE_URL=sqlite:///proc/none/db.sqlite ");
  EXPECT_EQ(nowhere.exit_code, 74) << nowhere.output;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace datastory::testing
