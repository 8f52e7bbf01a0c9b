// The password and token requirements of anchors/reliability-security.md §6 (1–3, 5, 7).
#include "auth/password.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <regex>
#include <unordered_set>
#include <vector>

#include "auth/token.h"

namespace datastory::auth {
namespace {

PasswordPolicy Fast() {  // cost 4: the logic without the waiting
  PasswordPolicy p;
  p.cost = 4;
  return p;
}

TEST(PasswordTest, HashesAreBcryptAtTheConfiguredCostAndSalted) {
  auto a = HashPassword("correct horse battery", PasswordPolicy());
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_TRUE(std::regex_match(*a, std::regex(R"(^\$2[aby]\$12\$[./A-Za-z0-9]{53}$)"))) << *a;
  EXPECT_EQ(HashCost(*a), 12);
  auto b = HashPassword("correct horse battery", Fast());
  auto c = HashPassword("correct horse battery", Fast());
  EXPECT_NE(*b, *c);  // a fresh salt each time
  EXPECT_TRUE(VerifyPassword("correct horse battery", *b, Fast()).match);
  EXPECT_TRUE(VerifyPassword("correct horse battery", *c, Fast()).match);
  EXPECT_FALSE(VerifyPassword("correct horse batterY", *c, Fast()).match);
}

TEST(PasswordTest, LengthsAreCheckedNeverCut) {
  EXPECT_EQ(HashPassword("short", Fast()).status().reason(), kPasswordTooShort);
  EXPECT_EQ(HashPassword("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", Fast())
                .status()
                .reason(),
            kPasswordTooShort);  // 7 characters in 14 bytes
  EXPECT_TRUE(HashPassword(std::string(64, 'p'), Fast()).ok());
  const std::string max(72, 'x');
  auto hash = HashPassword(max, Fast());
  ASSERT_TRUE(hash.ok());
  auto too_long = HashPassword(max + "y", Fast());
  EXPECT_EQ(too_long.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(too_long.status().reason(), kPasswordTooLong);
  // Sharing the first 72 bytes is not enough to log in.
  EXPECT_TRUE(VerifyPassword(max, *hash, Fast()).match);
  EXPECT_FALSE(VerifyPassword(max + "y", *hash, Fast()).match);
  EXPECT_FALSE(VerifyPassword(max + std::string(100, 'z'), *hash, Fast()).match);
  // A trailing space is a different password.
  auto pw = *HashPassword("password", Fast());
  EXPECT_FALSE(VerifyPassword("password ", pw, Fast()).match);
  EXPECT_FALSE(VerifyPassword(std::string("password\0x", 10), pw, Fast()).match);
  EXPECT_EQ(HashPassword(std::string("pass\0word", 9), Fast()).status().reason(), kPasswordInvalid);
}

TEST(PasswordTest, AWeakerStoredHashAsksForARehash) {
  PasswordPolicy old_policy;
  old_policy.cost = 10;
  auto old_hash = *HashPassword("open sesame!", old_policy);
  ASSERT_EQ(old_hash.substr(0, 7), "$2b$10$");
  Verification v = VerifyPassword("open sesame!", old_hash, PasswordPolicy());
  EXPECT_TRUE(v.match);
  EXPECT_TRUE(v.needs_rehash);
  EXPECT_FALSE(VerifyPassword("wrong", old_hash, PasswordPolicy()).needs_rehash);
  auto fresh = *HashPassword("open sesame!", PasswordPolicy());
  EXPECT_EQ(fresh.substr(0, 7), "$2b$12$");
  EXPECT_FALSE(VerifyPassword("open sesame!", fresh, PasswordPolicy()).needs_rehash);
}

// An unknown user costs the same work as a wrong password: over 30 runs each, the medians are
// within 25% of each other.
TEST(PasswordTest, UnknownUsersTakeAsLongAsWrongPasswords) {
  PasswordPolicy policy;
  policy.cost = 10;
  const std::string stored = *HashPassword("the real password", policy);
  auto time_ms = [&](std::string_view hash) {
    const auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(VerifyPassword("a wrong guess", hash, policy).match);
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
        .count();
  };
  auto median = [](std::vector<double> ms) {
    std::sort(ms.begin(), ms.end());
    return (ms[14] + ms[15]) / 2;
  };
  static_cast<void>(time_ms(""));  // the dummy hash is made on first use
  // Interleaved, so that a busy machine slows both alike.
  std::vector<double> unknown, wrong;
  for (int i = 0; i < 30; ++i) {
    unknown.push_back(time_ms(""));
    wrong.push_back(time_ms(stored));
  }
  EXPECT_NEAR(median(unknown) / median(wrong), 1.0, 0.25)
      << median(unknown) << " ms against " << median(wrong) << " ms";
}

TEST(TokenTest, TokensAreLongRandomAndKeptAsTheirHash) {
  std::unordered_set<std::string> seen;
  for (int i = 0; i < 100000; ++i) {
    std::string t = NewSessionToken();
    ASSERT_EQ(t.size(), 43u);
    ASSERT_EQ(
        t.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
        std::string::npos);
    seen.insert(std::move(t));
  }
  EXPECT_EQ(seen.size(), 100000u);
  // FIPS 180-2's example.
  EXPECT_EQ(HashToken("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace datastory::auth
