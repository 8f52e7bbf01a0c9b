// `admin`: what an operator does by hand, against DATABASE_URL: move an account to another
// tier, delete an account with its files, and sweep expired sessions (cron can run it; `serve`
// does not need it to be correct, since expired sessions are refused anyway).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/platform.h"
#include "store/store.h"

namespace datastory::cli {
namespace {

struct AdminFlags {
  std::string email;
  std::string tier;
};

int SetTier(const AdminFlags& flags) {
  const std::optional<store::Tier> tier = store::ParseTier(flags.tier);
  if (!tier) {
    std::fprintf(stderr,
                 "datastory: unknown tier '%s' (free, professional, business, "
                 "enterprise)\n",
                 flags.tier.c_str());
    return kExitUsage;
  }
  int exit_code = kExitOk;
  auto platform = OpenPlatform({.migrate = true, .open_blobs = false}, &exit_code);
  if (!platform) return exit_code;
  auto user = platform->store->FindUserByEmail(flags.email);
  if (!user.ok()) return ReportError(user.status());
  auto updated = platform->store->SetUserTier(user->id, *tier);
  if (!updated.ok()) return ReportError(updated.status());
  std::printf("%s is now on the %s tier\n", updated->email.c_str(),
              std::string(store::TierName(updated->tier)).c_str());
  return kExitOk;
}

int DeleteUser(const AdminFlags& flags) {
  int exit_code = kExitOk;
  auto platform = OpenPlatform({}, &exit_code);
  if (!platform) return exit_code;
  auto user = platform->store->FindUserByEmail(flags.email);
  if (!user.ok()) return ReportError(user.status());
  auto keys = platform->store->DeleteUser(user->id);
  if (!keys.ok()) return ReportError(keys.status());
  // The rows are gone; a file that cannot be removed now is only space, and is reported.
  int left = 0;
  for (const std::string& key : *keys) {
    Status s = platform->blobs->Remove(key);
    if (!s.ok() && s.code() != StatusCode::kNotFound) {
      std::fprintf(stderr, "datastory: could not remove %s: %s\n", key.c_str(),
                   s.message().c_str());
      ++left;
    }
  }
  std::printf("deleted %s and %zu file%s\n", user->email.c_str(), keys->size() - left,
              keys->size() - left == 1 ? "" : "s");
  return left == 0 ? kExitOk : kExitIoError;
}

int CleanupSessions() {
  int exit_code = kExitOk;
  auto platform = OpenPlatform({.migrate = true, .open_blobs = false}, &exit_code);
  if (!platform) return exit_code;
  auto removed = platform->store->CleanupExpiredSessions();
  if (!removed.ok()) return ReportError(removed.status());
  std::printf("removed %lld expired session%s\n", static_cast<long long>(*removed),
              *removed == 1 ? "" : "s");
  return kExitOk;
}

}  // namespace

void AddAdminCommand(CLI::App& app, std::function<int()>* run) {
  auto flags = std::make_shared<AdminFlags>();
  CLI::App* admin = app.add_subcommand("admin", "Operator tasks on the accounts in DATABASE_URL");
  admin->require_subcommand(1);

  CLI::App* set_tier = admin->add_subcommand("set-tier", "Move an account to another tier");
  set_tier->add_option("email", flags->email, "The account's email")->required();
  set_tier->add_option("tier", flags->tier, "free, professional, business or enterprise")
      ->required();
  set_tier->callback([run, flags] { *run = [flags] { return SetTier(*flags); }; });

  CLI::App* delete_user =
      admin->add_subcommand("delete-user", "Delete an account, its stories and its files");
  delete_user->add_option("email", flags->email, "The account's email")->required();
  delete_user->callback([run, flags] { *run = [flags] { return DeleteUser(*flags); }; });

  admin->add_subcommand("cleanup-sessions", "Remove expired sessions and API tokens")
      ->callback([run] { *run = CleanupSessions; });
}

}  // namespace datastory::cli
