// .env files: the settings file of the original platform's convention (`.env`, then
// `.env.local`, in the working directory).
//
//   # a comment
//   DATABASE_URL=postgres://app@db/datastory
//   export STORAGE_URL="s3://bucket/prefix"   # export and quotes are allowed
//   GREETING='kept as written: no $expansion, no \escapes'
//   MULTI="line one\nline two"                # \n \t \" \\ inside double quotes
//
// A line that is none of these is an error naming the file and the line; nothing is half-read.
#ifndef DATASTORY_CONFIG_DOTENV_H_
#define DATASTORY_CONFIG_DOTENV_H_

#include <map>
#include <string>
#include <string_view>

#include "datastory/result.h"

namespace datastory::config {

// The variables of a .env file's text, later lines winning. `name` is for messages.
Result<std::map<std::string, std::string>> ParseDotEnv(std::string_view text,
                                                       std::string_view name);

}  // namespace datastory::config

#endif  // DATASTORY_CONFIG_DOTENV_H_
