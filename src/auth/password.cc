#include "auth/password.h"

#include <crypt.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>

namespace datastory::auth {
namespace {

// One bcrypt computation, thread-safe (crypt_rn keeps its state in `data`, 32 KiB: on the
// heap). Empty on failure.
std::string Bcrypt(std::string_view password, const char* setting) {
  auto data = std::make_unique<crypt_data>();
  const std::string phrase(password);
  const char* out = crypt_rn(phrase.c_str(), setting, data.get(), sizeof(crypt_data));
  if (out == nullptr || out[0] == '*') return {};
  return out;
}

Result<std::string> Setting(int cost) {
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  // No random bytes given: libxcrypt takes them from the kernel.
  if (crypt_gensalt_rn("$2b$", static_cast<unsigned long>(cost), nullptr, 0, setting,
                       sizeof setting) == nullptr) {
    return Status::Internal("bcrypt: cannot make a salt for cost " + std::to_string(cost));
  }
  return std::string(setting);
}

// A hash of the policy's cost that matches nothing a person can type, made once: what an
// unknown user's password is checked against.
const std::string& DummyHash(int cost) {
  static std::mutex mu;
  static std::string hashes[32];
  std::lock_guard lock(mu);
  std::string& hash = hashes[cost & 31];
  if (hash.empty()) {
    auto setting = Setting(cost);
    if (setting.ok()) hash = Bcrypt("\x01 no password is this one \x02", setting->c_str());
  }
  return hash;
}

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace

Status CheckNewPassword(std::string_view password, const PasswordPolicy& policy) {
  if (password.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("a password cannot hold a NUL character")
        .WithReason(kPasswordInvalid);
  }
  if (password.size() > PasswordPolicy::kMaxBytes) {
    return Status::InvalidArgument("a password can be at most 72 bytes long (" +
                                   std::to_string(password.size()) +
                                   " given); choose a shorter one")
        .WithReason(kPasswordTooLong);
  }
  if (CodePoints(password) < policy.min_length) {
    return Status::InvalidArgument("a password needs at least " +
                                   std::to_string(policy.min_length) + " characters")
        .WithReason(kPasswordTooShort);
  }
  return Status::Ok();
}

Result<std::string> HashPassword(std::string_view password, const PasswordPolicy& policy) {
  DS_RETURN_IF_ERROR(CheckNewPassword(password, policy));
  if (policy.cost < 4 || policy.cost > 31) {
    return Status::InvalidArgument("bcrypt's cost must be 4 to 31, not " +
                                   std::to_string(policy.cost));
  }
  DS_ASSIGN_OR_RETURN(std::string setting, Setting(policy.cost));
  std::string hash = Bcrypt(password, setting.c_str());
  if (hash.empty()) return Status::Internal("bcrypt: the system's crypt failed");
  return hash;
}

Verification VerifyPassword(std::string_view password, std::string_view stored_hash,
                            const PasswordPolicy& policy) {
  Verification v;
  const int cost = HashCost(stored_hash);
  const bool usable = cost >= 4 && password.size() <= PasswordPolicy::kMaxBytes &&
                      password.find('\0') == std::string_view::npos;
  if (!usable) {
    // The same work as a real check, then no.
    static_cast<void>(Bcrypt(password.substr(0, PasswordPolicy::kMaxBytes),
                             DummyHash(std::clamp(policy.cost, 4, 31)).c_str()));
    return v;
  }
  const std::string stored(stored_hash);
  const std::string computed = Bcrypt(password, stored.c_str());
  v.match = computed.size() == stored.size() &&
            CRYPTO_memcmp(computed.data(), stored.data(), stored.size()) == 0;
  v.needs_rehash = v.match && cost < policy.cost;
  return v;
}

int HashCost(std::string_view hash) {
  // "$2b$12$" + 22 characters of salt + 31 of hash.
  if (hash.size() != 60 || hash.substr(0, 2) != "$2" || hash[3] != '$' || hash[6] != '$') {
    return -1;
  }
  if (hash[2] != 'a' && hash[2] != 'b' && hash[2] != 'y') return -1;
  if (hash[4] < '0' || hash[4] > '9' || hash[5] < '0' || hash[5] > '9') return -1;
  return (hash[4] - '0') * 10 + (hash[5] - '0');
}

}  // namespace datastory::auth
