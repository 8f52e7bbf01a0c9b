#include "service/accounts.h"

#include <algorithm>

#include "auth/token.h"
#include "base/text.h"

namespace datastory::service {
namespace {

Status InvalidCredentials() {
  return Status::Unauthenticated("wrong email or password").WithReason(kInvalidCredentials);
}

Status NotLoggedIn() {
  return Status::Unauthenticated("log in first: the session or token is missing or has expired")
      .WithReason(kUnauthenticated);
}

std::string AccountSubject(std::string_view email) { return "account:" + AsciiLower(email); }
std::string AddressSubject(std::string_view ip) { return "ip:" + std::string(ip); }

}  // namespace

AccountService::AccountService(store::Store& store, blob::BlobStore& blobs, AccountOptions options)
    : store_(store), blobs_(blobs), options_(std::move(options)) {}

Result<store::User> AccountService::Register(std::string_view email, std::string_view password) {
  DS_ASSIGN_OR_RETURN(std::string hash, auth::HashPassword(password, options_.password));
  auto user = store_.CreateUser({std::string(email), std::move(hash), store::Tier::kFree});
  if (user.status().code() == StatusCode::kAlreadyExists) {
    return Status::AlreadyExists("an account with this email already exists; log in instead")
        .WithReason(kEmailTaken);
  }
  return user;
}

Status AccountService::CheckThrottle(const std::string& account, const std::string& address,
                                     int64_t* retry_after_s) {
  const int64_t window = options_.throttle_window_ms;
  for (auto [subject, limit] :
       {std::pair<const std::string&, int>{account, options_.max_account_failures},
        {address, options_.max_address_failures}}) {
    DS_ASSIGN_OR_RETURN(store::LoginFailures f, store_.CountLoginFailures(subject, window));
    if (f.count >= limit) {
      const int64_t wait_ms = std::max<int64_t>(1000, f.oldest_at + window - f.now);
      if (retry_after_s) *retry_after_s = (wait_ms + 999) / 1000;
      return Status::ResourceExhausted("too many failed log-ins; try again in " +
                                       std::to_string((wait_ms + 59999) / 60000) + " minutes")
          .WithReason(kTooManyAttempts);
    }
  }
  return Status::Ok();
}

Result<LoginResult> AccountService::Login(const LoginRequest& request, int64_t* retry_after_s) {
  const std::string account = AccountSubject(request.email);
  const std::string address = AddressSubject(request.ip_address);
  DS_RETURN_IF_ERROR(CheckThrottle(account, address, retry_after_s));
  auto user = store_.FindUserByEmail(request.email);
  if (!user.ok() && user.status().code() != StatusCode::kNotFound) return user.status();
  // An unknown email is checked against a dummy hash: the same work, the same answer.
  const auth::Verification v = auth::VerifyPassword(
      request.password, user.ok() ? std::string_view(user->password_hash) : "", options_.password);
  if (!v.match) {
    DS_RETURN_IF_ERROR(store_.RecordLoginFailure(account));
    DS_RETURN_IF_ERROR(store_.RecordLoginFailure(address));
    return InvalidCredentials();
  }
  DS_RETURN_IF_ERROR(store_.ClearLoginFailures(account));
  if (v.needs_rehash) {
    auto stronger = auth::HashPassword(request.password, options_.password);
    if (stronger.ok()) DS_RETURN_IF_ERROR(store_.SetPasswordHash(user->id, *stronger));
  }
  return StartSession(*user, request.remember_me, request.user_agent, request.ip_address);
}

Result<LoginResult> AccountService::StartSession(const store::User& user, bool remember_me,
                                                 std::string_view user_agent,
                                                 std::string_view ip_address) {
  LoginResult result;
  result.user = user;
  result.token = auth::NewSessionToken();
  DS_ASSIGN_OR_RETURN(result.session,
                      store_.CreateSession({user.id, auth::HashToken(result.token), remember_me,
                                            std::string(user_agent.substr(0, 400)),
                                            std::string(ip_address.substr(0, 100))}));
  return result;
}

Status AccountService::Logout(const Principal& principal) {
  if (principal.session_id.empty()) return Status::Ok();  // an API token: nothing to end
  Status s = store_.DeleteSession(principal.user.id, principal.session_id);
  return s.code() == StatusCode::kNotFound ? Status::Ok() : s;
}

Result<Principal> AccountService::AuthenticateSession(std::string_view token) {
  if (token.empty()) return NotLoggedIn();
  auto session = store_.FindSession(auth::HashToken(token));
  if (!session.ok()) {
    return session.status().code() == StatusCode::kNotFound ? NotLoggedIn() : session.status();
  }
  auto user = store_.GetUser(session->user_id);
  if (!user.ok()) {
    return user.status().code() == StatusCode::kNotFound ? NotLoggedIn() : user.status();
  }
  // Only when the store says a write is due: most requests of a busy session write nothing.
  if (session->touch_due) DS_RETURN_IF_ERROR(store_.TouchSession(session->id).status());
  return Principal{std::move(user).value(), session->id, ""};
}

Result<Principal> AccountService::AuthenticateApiToken(std::string_view token) {
  if (token.empty()) return NotLoggedIn();
  auto found = store_.FindApiToken(auth::HashToken(token));
  if (!found.ok()) {
    return found.status().code() == StatusCode::kNotFound ? NotLoggedIn() : found.status();
  }
  auto user = store_.GetUser(found->user_id);
  if (!user.ok()) {
    return user.status().code() == StatusCode::kNotFound ? NotLoggedIn() : user.status();
  }
  return Principal{std::move(user).value(), "", found->id};
}

Result<LoginResult> AccountService::ChangePassword(const Principal& principal,
                                                   std::string_view old_password,
                                                   std::string_view new_password,
                                                   std::string_view user_agent,
                                                   std::string_view ip_address) {
  DS_ASSIGN_OR_RETURN(store::User user, store_.GetUser(principal.user.id));
  if (!auth::VerifyPassword(old_password, user.password_hash, options_.password).match) {
    return Status::PermissionDenied("the current password is wrong")
        .WithReason(kInvalidCredentials);
  }
  DS_ASSIGN_OR_RETURN(std::string hash, auth::HashPassword(new_password, options_.password));
  DS_RETURN_IF_ERROR(store_.SetPasswordHash(user.id, hash));
  // Every session ends, this one too: whoever knew the old password, or held a token made with
  // it, is out; the caller gets a fresh session.
  DS_RETURN_IF_ERROR(store_.DeleteUserSessions(user.id, "").status());
  const bool remember = false;
  return StartSession(user, remember, user_agent, ip_address);
}

Status AccountService::DeleteAccount(const Principal& principal, std::string_view password) {
  DS_ASSIGN_OR_RETURN(store::User user, store_.GetUser(principal.user.id));
  if (!auth::VerifyPassword(password, user.password_hash, options_.password).match) {
    return Status::PermissionDenied("the password is wrong").WithReason(kInvalidCredentials);
  }
  DS_ASSIGN_OR_RETURN(std::vector<std::string> keys, store_.DeleteUser(user.id));
  // The account is gone; its files follow. A file that cannot be removed now is only
  // storage, unreachable without the account.
  for (const std::string& key : keys) {
    Status s = blobs_.Remove(key);
    static_cast<void>(s);
  }
  return Status::Ok();
}

Result<std::vector<store::Session>> AccountService::ListSessions(const Principal& principal) {
  return store_.ListSessions(principal.user.id);
}

Status AccountService::RevokeSession(const Principal& principal, std::string_view session_id) {
  return store_.DeleteSession(principal.user.id, session_id);
}

Result<NewApiTokenResult> AccountService::CreateApiToken(const Principal& principal,
                                                         std::string_view name, int days) {
  if (name.empty() || name.size() > 100) {
    return Status::InvalidArgument("a token needs a name of 1 to 100 characters")
        .WithReason("INVALID_REQUEST");
  }
  if (days < 1 || days > options_.api_token_max_days) {
    return Status::InvalidArgument("a token lives 1 to " +
                                   std::to_string(options_.api_token_max_days) + " days")
        .WithReason("INVALID_REQUEST");
  }
  NewApiTokenResult result;
  result.secret = "dst_" + auth::NewSessionToken();
  DS_ASSIGN_OR_RETURN(result.token, store_.CreateApiToken({principal.user.id, std::string(name),
                                                           auth::HashToken(result.secret),
                                                           int64_t{days} * 24 * 60 * 60 * 1000}));
  return result;
}

Result<std::vector<store::ApiToken>> AccountService::ListApiTokens(const Principal& principal) {
  return store_.ListApiTokens(principal.user.id);
}

Status AccountService::RevokeApiToken(const Principal& principal, std::string_view token_id) {
  return store_.DeleteApiToken(principal.user.id, token_id);
}

}  // namespace datastory::service
