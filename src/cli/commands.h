// The subcommands of the `datastory` binary. Each registers its flags on the CLI11 app and
// returns the process exit code when run.
#ifndef DATASTORY_CLI_COMMANDS_H_
#define DATASTORY_CLI_COMMANDS_H_

#include <functional>

#include "datastory/status.h"

namespace CLI {
class App;
}

namespace datastory::cli {

// Exit codes (sysexits.h): what a script can tell apart.
constexpr int kExitOk = 0;
constexpr int kExitUsage = 64;       // bad flags
constexpr int kExitDataError = 65;   // the input is not a readable CSV table
constexpr int kExitNoInput = 66;     // the file does not exist
constexpr int kExitCantCreate = 73;  // the output file cannot be written
constexpr int kExitIoError = 74;
constexpr int kExitNoPermission = 77;
constexpr int kExitInternal = 70;
constexpr int kExitConfig = 78;  // a setting (DATABASE_URL …) is missing or malformed

// Prints "datastory: <message>" to stderr and returns the exit code for the status.
int ReportError(const Status& status);

// Adds `profile` to `app`; `run` is set to the function that runs it.
void AddProfileCommand(CLI::App& app, std::function<int()>* run);
// Adds `story`: the data story of a file, as HTML, Markdown or JSON.
void AddStoryCommand(CLI::App& app, std::function<int()>* run);
// Adds `migrate`: the database schema of DATABASE_URL brought up to date.
void AddMigrateCommand(CLI::App& app, std::function<int()>* run);
// Adds `scan`: read only, no statistics.
void AddScanCommand(CLI::App& app, std::function<int()>* run);
// Adds `serve` (the platform) and `worker` (story workers only).
void AddServeCommand(CLI::App& app, std::function<int()>* run);
// Adds `admin`: set-tier, delete-user, cleanup-sessions.
void AddAdminCommand(CLI::App& app, std::function<int()>* run);

}  // namespace datastory::cli

#endif  // DATASTORY_CLI_COMMANDS_H_
