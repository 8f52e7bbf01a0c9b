// Passwords: bcrypt hashes through the system's libxcrypt, and the policy around them.
//
// A password is at least min_length characters and at most 72 bytes, the most bcrypt reads:
// a longer one is refused, never silently cut (two passwords sharing their first 72 bytes
// would otherwise open each other's account). Verifying against no stored hash (an unknown
// email) still computes a hash of the same cost, so that an attacker cannot tell unknown
// accounts from wrong passwords by the time the answer takes. Thread-safe.
#ifndef DATASTORY_AUTH_PASSWORD_H_
#define DATASTORY_AUTH_PASSWORD_H_

#include <string>
#include <string_view>

#include "datastory/result.h"

namespace datastory::auth {

// The reasons (Status::reason) a new password is refused.
inline constexpr const char* kPasswordTooShort = "PASSWORD_TOO_SHORT";
inline constexpr const char* kPasswordTooLong = "PASSWORD_TOO_LONG";
inline constexpr const char* kPasswordInvalid = "PASSWORD_INVALID";

struct PasswordPolicy {
  int cost = 12;          // bcrypt's cost: 2^cost rounds; 10 to 31
  size_t min_length = 8;  // in characters (UTF-8 code points)
  static constexpr size_t kMaxBytes = 72;
};

// OK, or InvalidArgument with one of the reasons above and a sentence for a person.
Status CheckNewPassword(std::string_view password, const PasswordPolicy& policy);

// A bcrypt hash ("$2b$12$" + 53 characters) with a fresh random salt. Checks the password
// first (CheckNewPassword); Internal if the system's crypt fails.
Result<std::string> HashPassword(std::string_view password, const PasswordPolicy& policy);

struct Verification {
  bool match = false;
  // The stored hash is weaker than the policy's cost: hash the password again and store it.
  bool needs_rehash = false;
};

// Compares `password` with `stored_hash` in constant time. An empty or unreadable stored hash
// (an unknown user) never matches, after the same amount of work as a real comparison.
Verification VerifyPassword(std::string_view password, std::string_view stored_hash,
                            const PasswordPolicy& policy);

// The cost of a bcrypt hash ("$2b$12$…" → 12), or -1.
int HashCost(std::string_view hash);

}  // namespace datastory::auth

#endif  // DATASTORY_AUTH_PASSWORD_H_
