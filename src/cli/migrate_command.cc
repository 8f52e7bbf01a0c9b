#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/commands.h"
#include "cli/platform.h"
#include "store/store.h"

namespace datastory::cli {
namespace {

int RunMigrate() {
  int exit_code = kExitOk;
  auto platform = OpenPlatform({.migrate = true, .open_blobs = false}, &exit_code);
  if (!platform) return exit_code;
  auto version = platform->store->SchemaVersion();
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
