// Tokens: the secrets that stand for a log-in (session tokens) or a script (API tokens), and
// how they are kept. A token is 256 random bits; the store keeps only its SHA-256, so a copy of
// the database opens no account.
#ifndef DATASTORY_AUTH_TOKEN_H_
#define DATASTORY_AUTH_TOKEN_H_

#include <string>
#include <string_view>

namespace datastory::auth {

// 32 random bytes as unpadded base64url (43 characters).
std::string NewSessionToken();

// The hex SHA-256 of a token: what the store keeps and looks tokens up by.
std::string HashToken(std::string_view token);

}  // namespace datastory::auth

#endif  // DATASTORY_AUTH_TOKEN_H_
