#include "config/config.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "config/dotenv.h"

namespace datastory::config {
namespace {

namespace fs = std::filesystem;

TEST(DotEnvTest, TheFormsPeopleWrite) {
  auto values = ParseDotEnv(
      "# settings\n"
      "\n"
      "DATABASE_URL=postgres://app@db/x\n"
      "export STORAGE_URL=\"s3://bucket/prefix\"   # a comment\n"
      "  SPACED = value with spaces  \n"
      "SINGLE='no $expansion, no \\escapes'\n"
      "MULTI=\"one\\ntwo \\\"quoted\\\" \\\\\"\n"
      "HASH=a#b # the comment only after a space\n"
      "EMPTY=\n"
      "CRLF=yes\r\n"
      "DATABASE_URL=postgres://later@db/x\n",
      ".env");
  ASSERT_TRUE(values.ok()) << values.status().ToString();
  EXPECT_EQ(values->at("DATABASE_URL"), "postgres://later@db/x");  // later lines win
  EXPECT_EQ(values->at("STORAGE_URL"), "s3://bucket/prefix");
  EXPECT_EQ(values->at("SPACED"), "value with spaces");
  EXPECT_EQ(values->at("SINGLE"), "no $expansion, no \\escapes");
  EXPECT_EQ(values->at("MULTI"), "one\ntwo \"quoted\" \\");
  EXPECT_EQ(values->at("HASH"), "a#b");
  EXPECT_EQ(values->at("EMPTY"), "");
  EXPECT_EQ(values->at("CRLF"), "yes");
}

TEST(DotEnvTest, ABadLineIsNamed) {
  for (auto [text, line, why] : {std::tuple{"A=1\nnot a setting\n", 2, "expected '='"},
                                 std::tuple{"A=1\n\n9X=2\n", 3, "expected NAME=value"},
                                 std::tuple{"Q=\"open\n", 1, "no closing \""},
                                 std::tuple{"Q='a' b\n", 1, "unexpected text"}}) {
    auto r = ParseDotEnv(text, ".env.local");
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_NE(r.status().message().find(".env.local:" + std::to_string(line) + ": "),
              std::string::npos)
        << r.status().message();
    EXPECT_NE(r.status().message().find(why), std::string::npos) << r.status().message();
  }
}

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ds-config-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  Result<Config> Load(std::map<std::string, std::string> values) {
    return LoadConfig(Environment::Of(std::move(values)), (dir_ / "data").string());
  }
  fs::path dir_;
};

TEST_F(ConfigTest, DefaultsAreTheEmbeddedPlatform) {
  auto c = Load({});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->database_url, "sqlite://" + (dir_ / "data").string() + "/datastory.db");
  EXPECT_EQ(c->storage_url, "file://" + (dir_ / "data").string() + "/blobs");
  EXPECT_EQ(c->listen_host, "127.0.0.1");
  EXPECT_EQ(c->listen_port, 8080);
  EXPECT_EQ(c->public_url, "http://127.0.0.1:8080");
  EXPECT_GE(c->workers, 1);
  EXPECT_EQ(c->bcrypt_cost, 12);
  // The secret is made once, kept private, and read back the next time.
  EXPECT_TRUE(c->secret_generated);
  EXPECT_GE(c->secret.size(), 32u);
  struct stat st;
  ASSERT_EQ(stat((dir_ / "data" / "secret").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  auto again = Load({});
  EXPECT_FALSE(again->secret_generated);
  EXPECT_EQ(again->secret, c->secret);
}

TEST_F(ConfigTest, EveryMalformedSettingNamesItsVariable) {
  const std::string secret(40, 's');
  const std::string missing = (dir_ / "missing.pem").string();
  using Settings = std::map<std::string, std::string>;
  for (auto [name, settings] : std::vector<std::pair<std::string, Settings>>{
           {"DATABASE_URL", {{"DATABASE_URL", "mongodb://x:hunter2@h/db"}}},
           {"STORAGE_URL", {{"STORAGE_URL", "ftp://x"}}},
           {"DATASTORY_LISTEN", {{"DATASTORY_LISTEN", "8080"}}},
           {"DATASTORY_LISTEN", {{"DATASTORY_LISTEN", "localhost:http"}}},
           {"DATASTORY_LISTEN", {{"DATASTORY_LISTEN", "localhost:70000"}}},
           {"DATASTORY_WORKERS", {{"DATASTORY_WORKERS", "many"}}},
           {"DATASTORY_WORKERS", {{"DATASTORY_WORKERS", "-1"}}},
           {"DATASTORY_TLS_KEY", {{"DATASTORY_TLS_CERT", missing}}},  // the one not set
           {"DATASTORY_TLS_CERT",
            {{"DATASTORY_TLS_CERT", missing}, {"DATASTORY_TLS_KEY", missing}}},
           {"DATASTORY_PUBLIC_URL", {{"DATASTORY_PUBLIC_URL", "datastory.example.com"}}},
           {"DATASTORY_BCRYPT_COST", {{"DATASTORY_BCRYPT_COST", "4"}}},
           {"DATASTORY_READ_TIMEOUT", {{"DATASTORY_READ_TIMEOUT", "0"}}},
           {"DATASTORY_JOB_LEASE", {{"DATASTORY_JOB_LEASE", "1"}}},
           {"DATASTORY_UPLOADS_PER_HOUR", {{"DATASTORY_UPLOADS_PER_HOUR", "lots"}}},
           {"DATASTORY_TRUSTED_PROXIES", {{"DATASTORY_TRUSTED_PROXIES", "10.0.0.1, proxy.local"}}},
           {"DATASTORY_SECRET", {{"DATASTORY_SECRET", "short"}}}}) {
    settings.emplace("DATASTORY_SECRET", secret);
    auto c = Load(settings);
    ASSERT_FALSE(c.ok()) << name;
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(c.status().message().rfind(name + ": ", 0), 0u) << c.status().message();
    EXPECT_EQ(c.status().message().find("hunter2"), std::string::npos) << c.status().message();
  }
}

TEST_F(ConfigTest, SettingsAreRead) {
  std::ofstream(dir_ / "cert.pem") << "x";
  std::ofstream(dir_ / "key.pem") << "x";
  auto c = Load({{"DATABASE_URL", "postgres://app@db/x"},
                 {"STORAGE_URL", "s3://bucket/p"},
                 {"DATASTORY_LISTEN", "[::1]:0"},
                 {"DATASTORY_WORKERS", "0"},
                 {"DATASTORY_TLS_CERT", (dir_ / "cert.pem").string()},
                 {"DATASTORY_TLS_KEY", (dir_ / "key.pem").string()},
                 {"DATASTORY_SECRET", std::string(32, 'k')},
                 {"DATASTORY_READ_TIMEOUT", "5"},
                 {"DATASTORY_JOB_LEASE", "12"},
                 {"DATASTORY_UPLOADS_PER_HOUR", "500"},
                 {"DATASTORY_TRUSTED_PROXIES", "10.0.0.1, ::1"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->read_timeout_s, 5);
  EXPECT_EQ(c->job_lease_s, 12);
  EXPECT_EQ(c->uploads_per_hour, 500);
  EXPECT_EQ(c->trusted_proxies, (std::vector<std::string>{"10.0.0.1", "::1"}));
  EXPECT_EQ(c->listen_host, "::1");
  EXPECT_EQ(c->listen_port, 0);
  EXPECT_EQ(c->workers, 0);
  EXPECT_EQ(c->public_url, "https://[::1]:0");
  EXPECT_TRUE(c->https());
  EXPECT_FALSE(c->secret_generated);
}

// What the shell sets beats .env.local, which beats .env.
TEST_F(ConfigTest, TheEnvironmentBeatsDotEnvLocalWhichBeatsDotEnv) {
  std::ofstream(dir_ / ".env") << "DATASTORY_LISTEN=127.0.0.1:1111\nDATASTORY_WORKERS=3\n"
                                  "DS_TEST_ONLY_IN_FILE=file\nDS_TEST_SHELL=file\n";
  std::ofstream(dir_ / ".env.local") << "DATASTORY_LISTEN=127.0.0.1:2222\n";
  ASSERT_EQ(setenv("DS_TEST_SHELL", "shell", 1), 0);
  auto env = Environment::Load(dir_.string());
  ASSERT_TRUE(env.ok()) << env.status().ToString();
  EXPECT_EQ(env->Get("DATASTORY_LISTEN"), "127.0.0.1:2222");
  EXPECT_EQ(env->Get("DATASTORY_WORKERS"), "3");
  EXPECT_EQ(env->Get("DS_TEST_ONLY_IN_FILE"), "file");
  EXPECT_EQ(env->Get("DS_TEST_SHELL"), "shell");
  EXPECT_STREQ(env->Lookup()("DS_TEST_SHELL"), "shell");
  EXPECT_EQ(env->Lookup()("DS_TEST_NOT_SET_ANYWHERE"), nullptr);
  unsetenv("DS_TEST_SHELL");
  std::ofstream(dir_ / ".env.local") << "DATASTORY_LISTEN 9\n";
  auto bad = Environment::Load(dir_.string());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find(".env.local:1: "), std::string::npos);
}

}  // namespace
}  // namespace datastory::config
