// Configuration: every setting of DESIGN.md §1, read once at start-up from the environment and
// from `.env` / `.env.local` in the working directory, and checked before anything starts. A
// missing or malformed setting fails with one line that names the variable and what was
// expected (the CLI exits 78); nothing fails later inside a request. This module is the only one
// that reads the process environment.
#ifndef DATASTORY_CONFIG_CONFIG_H_
#define DATASTORY_CONFIG_CONFIG_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "datastory/result.h"

namespace datastory::config {

// Where settings come from: what the process environment sets beats `.env.local`, which beats
// `.env` (the original platform's convention).
class Environment {
 public:
  // The process environment and the two files in `dir` (missing files are fine; a malformed
  // one is an error naming its line).
  static Result<Environment> Load(const std::string& dir);
  // A fixed set, for tests.
  static Environment Of(std::map<std::string, std::string> values);

  std::optional<std::string> Get(std::string_view name) const;
  // For modules that take a lookup function (blob::OpenBlobStore): the pointer lives as long
  // as this Environment.
  std::function<const char*(const char*)> Lookup() const;

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

struct Config {
  std::string database_url;       // DATABASE_URL
  std::string storage_url;        // STORAGE_URL
  std::string secret;             // DATASTORY_SECRET, or the one generated into the data folder
  bool secret_generated = false;  // made at this start
  std::string listen_host;        // DATASTORY_LISTEN
  int listen_port = 8080;         //   (0: any free port, for tests)
  int workers = 0;                // DATASTORY_WORKERS: in-process worker threads
  std::string tls_cert, tls_key;  // DATASTORY_TLS_CERT, DATASTORY_TLS_KEY (PEM files)
  std::string public_url;         // DATASTORY_PUBLIC_URL, without a trailing '/'
  int bcrypt_cost = 12;           // DATASTORY_BCRYPT_COST
  // DATASTORY_READ_TIMEOUT: a client that sends nothing for this long (headers, a piece of an
  // upload) is dropped.
  int read_timeout_s = 30;
  // DATASTORY_JOB_LEASE: how long a job stays with a worker that stopped answering before
  // another takes it (heartbeats every sixth of it; rescue every third).
  int job_lease_s = 30;
  // DATASTORY_UPLOADS_PER_HOUR: uploads one account may make in an hour (one address: twice
  // that). A limit on abuse, beside the tier's limits on stories and bytes.
  int uploads_per_hour = 30;
  // DATASTORY_TRUSTED_PROXIES: comma-separated addresses of reverse proxies whose
  // X-Forwarded-For names the client.
  std::vector<std::string> trusted_proxies;
  std::string data_dir;  // where the embedded default keeps its files

  bool https() const { return public_url.rfind("https://", 0) == 0; }
};

// Reads and checks every setting. Defaults: DATABASE_URL sqlite://<data>/datastory.db,
// STORAGE_URL file://<data>/blobs, DATASTORY_LISTEN 127.0.0.1:8080, DATASTORY_WORKERS the
// number of cores, DATASTORY_PUBLIC_URL http(s)://<listen>. When DATASTORY_SECRET is unset, the
// secret is read from <data>/secret, or generated there (256 random bits, mode 0600). Fails with
// InvalidArgument whose message starts with the variable's name.
// Commands that sign nothing (migrate, admin) pass SecretUse::kNotNeeded: no secret is read or
// made.
enum class SecretUse { kNeeded, kNotNeeded };
Result<Config> LoadConfig(const Environment& env, const std::string& data_dir = "./data",
                          SecretUse secret_use = SecretUse::kNeeded);

}  // namespace datastory::config

#endif  // DATASTORY_CONFIG_CONFIG_H_
