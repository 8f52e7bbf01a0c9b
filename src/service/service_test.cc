// The services over a real SQLite store and the in-memory BlobStore: accounts and their rules,
// uploads and their preview.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "auth/token.h"
#include "service/accounts.h"
#include "service/document_cache.h"
#include "service/stories.h"

namespace datastory::service {
namespace {

namespace fs = std::filesystem;

// The cache keeps one version of each story's document, the most recently read first, within
// its bytes; it never hands out a version other than the one asked for.
TEST(DocumentCacheTest, KeepsOneVersionPerStoryWithinItsBytes) {
  DocumentCache cache(4000);
  EXPECT_EQ(cache.Find("a", 1), nullptr);
  auto a1 = cache.Put("a", 1, std::string(500, 'x'));
  EXPECT_EQ(*a1, std::string(500, 'x'));
  EXPECT_EQ(cache.Find("a", 1), a1);  // the same bytes, not a copy
  EXPECT_EQ(cache.Find("a", 2), nullptr);
  // A newer version replaces the older; an older one put late does not replace the newer.
  auto a3 = cache.Put("a", 3, "three");
  EXPECT_EQ(cache.Find("a", 1), nullptr);
  EXPECT_EQ(*cache.Find("a", 3), "three");
  EXPECT_EQ(*cache.Put("a", 2, "two"), "two");  // handed back, not kept
  EXPECT_EQ(cache.Find("a", 2), nullptr);
  EXPECT_EQ(*cache.Find("a", 3), "three");
  EXPECT_EQ(cache.bytes(), 5u + 1u);
  // Over a quarter of the capacity: handed back, not kept.
  EXPECT_EQ(cache.Put("big", 1, std::string(1001, 'b'))->size(), 1001u);
  EXPECT_EQ(cache.Find("big", 1), nullptr);
  // Full: the least recently read leave first.
  for (int i = 0; i < 5; ++i) cache.Put("s" + std::to_string(i), 1, std::string(900, 'y'));
  EXPECT_LE(cache.bytes(), 4000u);
  EXPECT_EQ(cache.Find("a", 3), nullptr);
  EXPECT_EQ(cache.Find("s0", 1), nullptr);
  EXPECT_NE(cache.Find("s4", 1), nullptr);
  ASSERT_NE(cache.Find("s1", 1), nullptr);  // read: now the most recent
  cache.Put("s5", 1, std::string(900, 'y'));
  EXPECT_NE(cache.Find("s1", 1), nullptr);
  EXPECT_EQ(cache.Find("s2", 1), nullptr);
  // A handed-out document outlives its eviction.
  auto held = cache.Find("s4", 1);
  cache.Erase("s4");
  EXPECT_EQ(cache.Find("s4", 1), nullptr);
  EXPECT_EQ(held->size(), 900u);
  EXPECT_EQ(cache.bytes(), 3u * 902u);
}
constexpr int64_t kNow = 1795608000000;

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ds-service-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    store::StoreOptions options;
    options.clock = &clock_;
    store_ = *store::OpenStore("sqlite://" + (dir_ / "db.sqlite").string(), options);
    ASSERT_TRUE(store_->Migrate().ok());
    blobs_ = blob::NewMemoryBlobStore("a secret of enough bytes", clock_);
    AccountOptions account_options;
    account_options.password.cost = 4;  // the rules without the waiting
    accounts_ = std::make_unique<AccountService>(*store_, *blobs_, account_options);
    stories_ = std::make_unique<StoryService>(*store_, *blobs_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  Principal SignedIn(const std::string& email) {
    EXPECT_TRUE(accounts_->Register(email, "correct horse").ok());
    auto login = accounts_->Login({email, "correct horse", false, "test", "10.0.0.1"});
    EXPECT_TRUE(login.ok()) << login.status().ToString();
    return *accounts_->AuthenticateSession(login->token);
  }
  static UploadRequest Body(std::string bytes, std::string name = "sales.csv") {
    auto shared = std::make_shared<std::string>(std::move(bytes));
    UploadRequest r;
    r.filename = std::move(name);
    r.declared_size = static_cast<int64_t>(shared->size());
    auto offset = std::make_shared<size_t>(0);
    r.body = [shared, offset](char* buffer, size_t capacity) -> Result<size_t> {
      size_t n = std::min(capacity, shared->size() - *offset);
      std::memcpy(buffer, shared->data() + *offset, n);
      *offset += n;
      return n;
    };
    return r;
  }

  fs::path dir_;
  FakeClock clock_{kNow};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<blob::BlobStore> blobs_;
  std::unique_ptr<AccountService> accounts_;
  std::unique_ptr<StoryService> stories_;
};

TEST_F(ServiceTest, RegisterLogInAndOut) {
  auto user = accounts_->Register("Ada@Example.com", "correct horse");
  ASSERT_TRUE(user.ok()) << user.status().ToString();
  EXPECT_EQ(user->password_hash.substr(0, 7), "$2b$04$");
  EXPECT_EQ(accounts_->Register("ada@example.com", "another one").status().reason(), kEmailTaken);
  EXPECT_EQ(accounts_->Register("bob@example.com", "short").status().reason(),
            auth::kPasswordTooShort);
  auto login = accounts_->Login({"ada@example.com", "correct horse", false, "ua", "1.2.3.4"});
  ASSERT_TRUE(login.ok()) << login.status().ToString();
  EXPECT_GE(login->token.size(), 43u);
  // The store never sees the token, only its hash.
  EXPECT_EQ(login->session.token_hash, auth::HashToken(login->token));
  auto me = accounts_->AuthenticateSession(login->token);
  ASSERT_TRUE(me.ok());
  EXPECT_EQ(me->user.email, "Ada@Example.com");
  // Presenting the stored hash as a token gets nowhere.
  EXPECT_EQ(accounts_->AuthenticateSession(login->session.token_hash).status().reason(),
            kUnauthenticated);
  ASSERT_TRUE(accounts_->Logout(*me).ok());
  EXPECT_EQ(accounts_->AuthenticateSession(login->token).status().code(),
            StatusCode::kUnauthenticated);
}

// An unknown email and a wrong password get the same answer.
TEST_F(ServiceTest, UnknownEmailAndWrongPasswordLookTheSame) {
  ASSERT_TRUE(accounts_->Register("ada@example.com", "correct horse").ok());
  auto unknown = accounts_->Login({"nobody@example.com", "correct horse", false, "", "1.1.1.1"});
  auto wrong = accounts_->Login({"ada@example.com", "wrong horse!", false, "", "1.1.1.2"});
  EXPECT_EQ(unknown.status().code(), wrong.status().code());
  EXPECT_EQ(unknown.status().message(), wrong.status().message());
  EXPECT_EQ(unknown.status().reason(), kInvalidCredentials);
}

// Ten failures for one account, from ten addresses, lock it for the window, even with the right
// password; when the window has passed, the right password works.
TEST_F(ServiceTest, FailedLogInsAreThrottledPerAccount) {
  ASSERT_TRUE(accounts_->Register("ada@example.com", "correct horse").ok());
  for (int i = 0; i < 10; ++i) {
    auto r = accounts_->Login({"ada@example.com", "guess " + std::to_string(i), false, "",
                               "10.0.0." + std::to_string(i)});
    EXPECT_EQ(r.status().reason(), kInvalidCredentials) << i;
    clock_.Advance(1000);
  }
  int64_t retry_after = 0;
  auto locked =
      accounts_->Login({"ada@example.com", "correct horse", false, "", "10.9.9.9"}, &retry_after);
  EXPECT_EQ(locked.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(locked.status().reason(), kTooManyAttempts);
  EXPECT_GT(retry_after, 14 * 60);
  EXPECT_LE(retry_after, 15 * 60);
  clock_.Advance(15 * 60 * 1000);
  EXPECT_TRUE(accounts_->Login({"ada@example.com", "correct horse", false, "", "10.9.9.9"}).ok());
}

TEST_F(ServiceTest, AWeakerHashIsUpgradedAtLogIn) {
  auth::PasswordPolicy weak;
  weak.cost = 4;
  ASSERT_TRUE(store_
                  ->CreateUser({"old@example.com", *auth::HashPassword("correct horse", weak),
                                store::Tier::kFree})
                  .ok());
  AccountOptions stronger;
  stronger.password.cost = 5;
  AccountService upgraded(*store_, *blobs_, stronger);
  ASSERT_TRUE(upgraded.Login({"old@example.com", "correct horse", false, "", "1.1.1.1"}).ok());
  EXPECT_EQ(store_->FindUserByEmail("old@example.com")->password_hash.substr(0, 7), "$2b$05$");
}

// A password change ends every session, the current one too, and gives a new one.
TEST_F(ServiceTest, ChangingThePasswordEndsTheOtherSessions) {
  ASSERT_TRUE(accounts_->Register("ada@example.com", "correct horse").ok());
  auto a = *accounts_->Login({"ada@example.com", "correct horse", false, "", "1.1.1.1"});
  auto b = *accounts_->Login({"ada@example.com", "correct horse", true, "", "1.1.1.2"});
  Principal me = *accounts_->AuthenticateSession(a.token);
  EXPECT_EQ(accounts_->ChangePassword(me, "wrong", "new horse battery", "", "").status().reason(),
            kInvalidCredentials);
  auto changed = accounts_->ChangePassword(me, "correct horse", "new horse battery", "", "");
  ASSERT_TRUE(changed.ok()) << changed.status().ToString();
  EXPECT_FALSE(accounts_->AuthenticateSession(a.token).ok());
  EXPECT_FALSE(accounts_->AuthenticateSession(b.token).ok());
  EXPECT_TRUE(accounts_->AuthenticateSession(changed->token).ok());
  EXPECT_FALSE(accounts_->Login({"ada@example.com", "correct horse", false, "", "1.1.1.3"}).ok());
  EXPECT_TRUE(
      accounts_->Login({"ada@example.com", "new horse battery", false, "", "1.1.1.3"}).ok());
}

TEST_F(ServiceTest, ApiTokensAreShownOnceAndWorkUntilRevoked) {
  Principal me = SignedIn("ada@example.com");
  auto created = accounts_->CreateApiToken(me, "nightly", 30);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->secret.substr(0, 4), "dst_");
  EXPECT_EQ(created->token.token_hash, auth::HashToken(created->secret));
  auto as_script = accounts_->AuthenticateApiToken(created->secret);
  ASSERT_TRUE(as_script.ok());
  EXPECT_EQ(as_script->api_token_id, created->token.id);
  EXPECT_EQ(accounts_->ListApiTokens(me)->size(), 1u);
  EXPECT_FALSE(accounts_->CreateApiToken(me, "", 30).ok());
  EXPECT_FALSE(accounts_->CreateApiToken(me, "forever", 100000).ok());
  ASSERT_TRUE(accounts_->RevokeApiToken(me, created->token.id).ok());
  EXPECT_FALSE(accounts_->AuthenticateApiToken(created->secret).ok());
}

TEST_F(ServiceTest, AnUploadIsReadAndPreviewed) {
  Principal me = SignedIn("ada@example.com");
  std::string csv = "date;region;revenue\n";
  for (int i = 1; i <= 40; ++i) {
    char line[64];
    std::snprintf(line, sizeof line, "2024-%02d-%02d;%s;%d\n", i / 28 + 1, i % 28 + 1,
                  i % 2 ? "North" : "South", 100 + i);
    csv += line;
  }
  auto up = stories_->Upload(me, Body(csv, "../../etc/Sales Q1.csv"));
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  EXPECT_EQ(up->upload.original_filename, "../../etc/Sales Q1.csv");
  EXPECT_EQ(up->upload.storage_key.find("etc"), std::string::npos);  // the name is metadata
  EXPECT_EQ(up->upload.size, static_cast<int64_t>(csv.size()));
  const auto preview = nlohmann::json::parse(up->upload.preview_json);
  EXPECT_EQ(preview["delimiter"], ";");
  EXPECT_EQ(preview["encoding"], "utf-8");
  EXPECT_EQ(preview["header"], true);
  ASSERT_EQ(preview["columns"].size(), 3u);
  EXPECT_EQ(preview["columns"][0]["type"], "date");
  EXPECT_EQ(preview["columns"][2]["role"], "measure");
  EXPECT_EQ(preview["rows"].size(), 20u);
  EXPECT_EQ(preview["rowEstimate"], 40);
  EXPECT_EQ(*blobs_->Download(up->upload.storage_key), csv);
  // Told again with another reading, without uploading again.
  auto again = stories_->Preview(me, up->upload.id, {.types = {{"revenue", "text"}}});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->preview.columns[2].type, table::ColumnType::kText);
  // Another user cannot see it.
  Principal bob = SignedIn("bob@example.com");
  EXPECT_EQ(stories_->Preview(bob, up->upload.id, {}).status().code(), StatusCode::kNotFound);
}

TEST_F(ServiceTest, BadUploadsAreRefusedByContentAndNothingIsKept) {
  Principal me = SignedIn("ada@example.com");
  auto png = stories_->Upload(me, Body(std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16), "x.csv"));
  EXPECT_EQ(png.status().reason(), kNotCsv);
  EXPECT_NE(png.status().message().find("PNG image"), std::string::npos);
  auto nul = stories_->Upload(me, Body(std::string("a,b\n1,\0\0\0\n", 10)));  // a run of NULs
  EXPECT_EQ(nul.status().reason(), kNotCsv);
  EXPECT_EQ(stories_->Upload(me, Body("")).status().reason(), kEmptyFile);
  auto header = stories_->Upload(me, Body("a,b,c\n"));
  EXPECT_EQ(header.status().reason(), pipeline::kParseError);
  // Larger than the free tier's 25 MiB: refused from the declared size, before any byte…
  UploadRequest big = Body("a\n1\n");
  big.declared_size = int64_t{26} << 20;
  EXPECT_EQ(stories_->Upload(me, std::move(big)).status().reason(), kFileTooLarge);
  // … and counted as it streams when no size was declared.
  UploadRequest endless;
  endless.filename = "endless.csv";
  endless.body = [](char* buffer, size_t capacity) -> Result<size_t> {
    std::memset(buffer, 'x', capacity);
    if (capacity > 1) buffer[capacity - 1] = '\n';
    return capacity;
  };
  EXPECT_EQ(stories_->Upload(me, std::move(endless)).status().reason(), kFileTooLarge);
  // Nothing of any of them was kept.
  EXPECT_EQ(store_->GetUser(me.user.id)->stories_this_month, 0);
}

TEST_F(ServiceTest, StartingAStoryChecksTheSettingsFirst) {
  Principal me = SignedIn("ada@example.com");
  auto up = *stories_->Upload(me, Body("a,b\n1,2\n3,4\n"));
  EXPECT_EQ(stories_->StartStory(me, up.upload.id, {.audience = "ceo"}, "").status().reason(),
            kInvalidOptions);
  EXPECT_EQ(
      stories_->StartStory(me, up.upload.id, {.types = {{"a", "colour"}}}, "").status().reason(),
      kInvalidOptions);
  EXPECT_EQ(store_->GetUser(me.user.id)->stories_this_month, 0);  // nothing spent
  Principal bob = SignedIn("bob@example.com");
  EXPECT_EQ(stories_->StartStory(bob, up.upload.id, {}, "").status().code(), StatusCode::kNotFound);
  auto job = stories_->StartStory(me, up.upload.id, {.audience = "technical"}, "k1");
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  auto spec = ParseStoryJobOptions(job->options_json);
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->upload_id, up.upload.id);
  EXPECT_EQ(spec->settings.audience, "technical");
  EXPECT_EQ(stories_->StartStory(me, up.upload.id, {.audience = "technical"}, "k1")->id, job->id);
}

}  // namespace
}  // namespace datastory::service
