// datastory: turns a CSV file into a data story. This is the composition root: it parses the
// command line and hands over to a subcommand.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <functional>

#include "base/text.h"
#include "cli/commands.h"

namespace datastory::cli {

int ReportError(const Status& status) {
  // Messages quote file names and values: nothing in them may drive the terminal.
  std::fprintf(stderr, "datastory: %s\n", EscapeControl(status.message()).c_str());
  switch (status.code()) {
    case StatusCode::kOk:
      return kExitOk;
    case StatusCode::kInvalidArgument:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kDataLoss:
    case StatusCode::kResourceExhausted:  // a limit of the read options
      return kExitDataError;
    case StatusCode::kNotFound:
      return kExitNoInput;
    case StatusCode::kPermissionDenied:
      return kExitNoPermission;
    case StatusCode::kUnavailable:
      return kExitIoError;
    default:
      return kExitInternal;
  }
}

}  // namespace datastory::cli

namespace {

int Main(int argc, char** argv) {
  CLI::App app{"DataStory: turn a CSV file into a data story"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "datastory 0.1.0");
  std::function<int()> run;
  datastory::cli::AddProfileCommand(app, &run);
  datastory::cli::AddStoryCommand(app, &run);
  datastory::cli::AddScanCommand(app, &run);
  datastory::cli::AddMigrateCommand(app, &run);
  datastory::cli::AddServeCommand(app, &run);
  datastory::cli::AddAdminCommand(app, &run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return datastory::cli::kExitUsage;
  }
  return run();
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {  // last resort: our code reports errors as Status
    std::fprintf(stderr, "datastory: internal error: %s\n", e.what());
    return datastory::cli::kExitInternal;
  } catch (...) {
    std::fputs("datastory: internal error\n", stderr);
    return datastory::cli::kExitInternal;
  }
}
