#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>

#include "cli/commands.h"
#include "config/config.h"
#include "store/store.h"

namespace datastory::cli {
namespace {

constexpr const char* kDefaultDatabaseUrl = "sqlite://./data/datastory.db";

int RunMigrate() {
  auto env = config::Environment::Load(".");
  if (!env.ok()) {
    std::fprintf(stderr, "datastory: %s\n", env.status().message().c_str());
    return kExitConfig;
  }
  const std::string url = env->Get("DATABASE_URL").value_or("").empty() ? kDefaultDatabaseUrl
                                                                        : *env->Get("DATABASE_URL");
  if (url == kDefaultDatabaseUrl) {
    std::error_code ignored;
    std::filesystem::create_directories("./data", ignored);  // the embedded default's home
  }
  auto store = store::OpenStore(url);
  if (!store.ok()) {
    std::fprintf(stderr, "datastory: %s\n", store.status().message().c_str());
    return store.status().code() == StatusCode::kInvalidArgument ? kExitConfig : kExitIoError;
  }
  if (Status s = (*store)->Migrate(); !s.ok()) return ReportError(s);
  auto version = (*store)->SchemaVersion();
  if (!version.ok()) return ReportError(version.status());
  std::printf("schema version %d\n", *version);
  return kExitOk;
}

}  // namespace

void AddMigrateCommand(CLI::App& app, std::function<int()>* run) {
  app.add_subcommand("migrate",
                     "Apply the database migrations DATABASE_URL has not had yet (safe to repeat)")
      ->callback([run] { *run = RunMigrate; });
}

}  // namespace datastory::cli
