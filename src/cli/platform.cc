#include "cli/platform.h"

#include <signal.h>

#include <cstdio>
#include <filesystem>

#include "base/text.h"
#include "cli/commands.h"

namespace datastory::cli {
namespace {

std::unique_ptr<Platform> Fail(const Status& status, int exit_code, int* out) {
  std::fprintf(stderr, "datastory: %s\n", EscapeControl(status.message()).c_str());
  *out = exit_code;
  return nullptr;
}

// The embedded default keeps its files under ./data: made on first use.
void MakeParentOf(const std::string& url, std::string_view scheme) {
  if (url.rfind(scheme, 0) != 0) return;
  std::string path = url.substr(scheme.size());
  if (const size_t q = path.find('?'); q != std::string::npos) path.resize(q);
  if (path.empty() || path == ":memory:") return;
  std::error_code ignored;
  const std::filesystem::path p(path);
  std::filesystem::create_directories(scheme == "file://" ? p : p.parent_path(), ignored);
}

}  // namespace

std::unique_ptr<Platform> OpenPlatform(const PlatformOptions& options, int* exit_code) {
  auto env = config::Environment::Load(".");
  if (!env.ok()) return Fail(env.status(), kExitConfig, exit_code);
  auto config = config::LoadConfig(
      *env, "./data",
      options.open_blobs ? config::SecretUse::kNeeded : config::SecretUse::kNotNeeded);
  if (!config.ok()) return Fail(config.status(), kExitConfig, exit_code);

  auto platform = std::make_unique<Platform>();
  platform->config = std::move(*config);
  const config::Config& c = platform->config;
  if (c.secret_generated) {
    std::fprintf(stderr,
                 "datastory: generated a secret in %s/secret (set DATASTORY_SECRET to share "
                 "one between processes)\n",
                 c.data_dir.c_str());
  }

  MakeParentOf(c.database_url, "sqlite://");
  auto store = store::OpenStore(c.database_url);
  if (!store.ok()) {
    const bool setting = store.status().code() == StatusCode::kInvalidArgument;
    return Fail(store.status(), setting ? kExitConfig : kExitIoError, exit_code);
  }
  platform->store = std::move(*store);
  if (options.migrate) {
    if (Status s = platform->store->Migrate(); !s.ok()) {
      return Fail(s, kExitIoError, exit_code);
    }
  }
  if (options.open_blobs) {
    MakeParentOf(c.storage_url, "file://");
    auto blobs =
        blob::OpenBlobStore(c.storage_url, {c.secret, "/blobs"}, platform->clock, env->Lookup());
    if (!blobs.ok()) {
      const bool setting = blobs.status().code() == StatusCode::kInvalidArgument;
      return Fail(blobs.status(), setting ? kExitConfig : kExitIoError, exit_code);
    }
    platform->blobs = std::move(*blobs);
  }
  *exit_code = kExitOk;
  return platform;
}

void BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int WaitForStopSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int signal_number = 0;
  while (sigwait(&set, &signal_number) != 0) {
  }
  return signal_number;
}

}  // namespace datastory::cli
