// What `serve`, `worker`, `admin` and `migrate` share: the settings read and checked, and the
// database and the file storage they name, opened (and, for the embedded default, their folder
// made). A failure here is reported with the exit code a service manager understands: 78 for a
// setting, 74 for a server that cannot be reached.
#ifndef DATASTORY_CLI_PLATFORM_H_
#define DATASTORY_CLI_PLATFORM_H_

#include <memory>

#include "base/clock.h"
#include "blob/blob_store.h"
#include "config/config.h"
#include "store/store.h"

namespace datastory::cli {

struct Platform {
  config::Config config;
  SystemClock clock;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<blob::BlobStore> blobs;
};

struct PlatformOptions {
  bool migrate = true;     // bring the schema up to date (safe from several processes at once)
  bool open_blobs = true;  // and read (or make) the secret the local storage signs with
};

// Reads the settings from the environment and ./.env*, opens the store and the storage. On
// failure prints "datastory: <message>" and sets *exit_code; returns null.
std::unique_ptr<Platform> OpenPlatform(const PlatformOptions& options, int* exit_code);

// Blocks SIGINT and SIGTERM in this thread and every thread it starts from now, so that
// WaitForStopSignal can take them. Call before starting threads.
void BlockStopSignals();
// Waits for SIGINT or SIGTERM; returns its number.
int WaitForStopSignal();

}  // namespace datastory::cli

#endif  // DATASTORY_CLI_PLATFORM_H_
