// Accounts: registering, logging in and out, sessions and personal API tokens, the password
// rules, and the throttle on failed log-ins. The platform's rules, without HTTP: the HTTP layer
// turns a request into a call here and the Status back into an answer.
//
// Failures carry a reason (Status::reason) the API passes on as its error code:
// EMAIL_TAKEN, INVALID_CREDENTIALS, TOO_MANY_ATTEMPTS, PASSWORD_TOO_SHORT/LONG/INVALID,
// UNAUTHENTICATED. An unknown email and a wrong password give the same Status.
#ifndef DATASTORY_SERVICE_ACCOUNTS_H_
#define DATASTORY_SERVICE_ACCOUNTS_H_

#include <string>
#include <string_view>
#include <vector>

#include "auth/password.h"
#include "blob/blob_store.h"
#include "store/store.h"

namespace datastory::service {

inline constexpr const char* kEmailTaken = "EMAIL_TAKEN";
inline constexpr const char* kInvalidCredentials = "INVALID_CREDENTIALS";
inline constexpr const char* kTooManyAttempts = "TOO_MANY_ATTEMPTS";
inline constexpr const char* kUnauthenticated = "UNAUTHENTICATED";

// Who is calling: the user, and the session or API token they came with.
struct Principal {
  store::User user;
  std::string session_id;    // empty for an API token
  std::string api_token_id;  // empty for a session
};

struct AccountOptions {
  auth::PasswordPolicy password;
  // Failed log-ins: at most max_account_failures for one account, and max_address_failures
  // from one address, within the window; then even the right password waits.
  int64_t throttle_window_ms = int64_t{15} * 60 * 1000;
  int max_account_failures = 10;
  int max_address_failures = 50;
  int64_t api_token_max_days = 365;
};

struct LoginRequest {
  std::string email;
  std::string password;
  bool remember_me = false;
  std::string user_agent;
  std::string ip_address;
};

// A new session: its token is given to the client once, here, and kept only as a hash.
struct LoginResult {
  store::User user;
  store::Session session;
  std::string token;
};

struct NewApiTokenResult {
  store::ApiToken token;
  std::string secret;  // shown once
};

class AccountService {
 public:
  // `store` and `blobs` must outlive the service. Thread-safe.
  AccountService(store::Store& store, blob::BlobStore& blobs, AccountOptions options);

  Result<store::User> Register(std::string_view email, std::string_view password);
  // A new session for the right email and password. The same INVALID_CREDENTIALS for an
  // unknown email and a wrong password, after the same work; TOO_MANY_ATTEMPTS (ResourceExhausted)
  // with *retry_after_s set when the throttle holds. A weaker stored hash is upgraded.
  Result<LoginResult> Login(const LoginRequest& request, int64_t* retry_after_s = nullptr);
  Status Logout(const Principal& principal);

  // The caller behind a session token or an API token (UNAUTHENTICATED when neither is live).
  Result<Principal> AuthenticateSession(std::string_view token);
  Result<Principal> AuthenticateApiToken(std::string_view token);

  // Checks the old password, stores the new one, ends every other session and replaces the
  // current one (its old token stops working): the result is the session to use from now.
  Result<LoginResult> ChangePassword(const Principal& principal, std::string_view old_password,
                                     std::string_view new_password, std::string_view user_agent,
                                     std::string_view ip_address);
  // Checks the password, then deletes the user with everything they own, files included.
  Status DeleteAccount(const Principal& principal, std::string_view password);

  Result<std::vector<store::Session>> ListSessions(const Principal& principal);
  Status RevokeSession(const Principal& principal, std::string_view session_id);

  Result<NewApiTokenResult> CreateApiToken(const Principal& principal, std::string_view name,
                                           int days);
  Result<std::vector<store::ApiToken>> ListApiTokens(const Principal& principal);
  Status RevokeApiToken(const Principal& principal, std::string_view token_id);

  const AccountOptions& options() const { return options_; }

 private:
  Result<LoginResult> StartSession(const store::User& user, bool remember_me,
                                   std::string_view user_agent, std::string_view ip_address);
  Status CheckThrottle(const std::string& account, const std::string& address,
                       int64_t* retry_after_s);

  store::Store& store_;
  blob::BlobStore& blobs_;
  const AccountOptions options_;
};

}  // namespace datastory::service

#endif  // DATASTORY_SERVICE_ACCOUNTS_H_
