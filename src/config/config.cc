#include "config/config.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "base/file_io.h"
#include "base/random.h"
#include "base/text.h"
#include "config/dotenv.h"

extern char** environ;

namespace datastory::config {
namespace {

namespace fs = std::filesystem;

Status Bad(std::string_view variable, const std::string& expected, std::string_view got) {
  return Status::InvalidArgument(std::string(variable) + ": expected " + expected + ", got \"" +
                                 EscapeControl(got.substr(0, 80)) + "\"");
}

Result<std::map<std::string, std::string>> ReadDotEnv(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::map<std::string, std::string>();  // no file: nothing to add
  std::stringstream text;
  text << in.rdbuf();
  return ParseDotEnv(text.str(), file.string());
}

bool IsIpAddress(const std::string& text) {
  unsigned char bytes[16];
  return inet_pton(AF_INET, text.c_str(), bytes) == 1 ||
         inet_pton(AF_INET6, text.c_str(), bytes) == 1;
}

std::optional<int> ParseInt(std::string_view text, int low, int high) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < low || value > high) {
    return std::nullopt;
  }
  return value;
}

// The secret kept in the data folder: read it, or make it (only this user can read it).
Result<std::string> StoredSecret(const fs::path& data_dir, bool* generated) {
  const fs::path file = data_dir / "secret";
  std::ifstream in(file, std::ios::binary);
  if (in) {
    std::string secret;
    std::getline(in, secret);
    if (secret.size() < 32) {
      return Status::InvalidArgument("DATASTORY_SECRET: the secret in " + file.string() +
                                     " is shorter than 32 characters; remove the file to make a "
                                     "new one");
    }
    return secret;
  }
  const std::string secret = NewToken(32);
  AtomicWriteOptions options;
  options.create_parents = true;
  options.mode = 0600;
  auto written = WriteFileAtomically(file.string(), ReadFromString(secret + "\n"), options);
  if (!written.ok()) {
    return Status::InvalidArgument("DATASTORY_SECRET: unset, and it cannot be kept in " +
                                   file.string() + ": " + written.status().message());
  }
  ::chmod(file.c_str(), 0600);  // whatever the umask left
  *generated = true;
  return secret;
}

}  // namespace

Result<Environment> Environment::Load(const std::string& dir) {
  Environment env;
  // Lowest first: .env, then .env.local over it, then the process environment over both.
  for (const char* name : {".env", ".env.local"}) {
    DS_ASSIGN_OR_RETURN(auto values, ReadDotEnv(fs::path(dir) / name));
    for (auto& [key, value] : values) env.values_[key] = std::move(value);
  }
  for (char** e = environ; e && *e; ++e) {
    const std::string_view entry(*e);
    const size_t eq = entry.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    env.values_[std::string(entry.substr(0, eq))] = std::string(entry.substr(eq + 1));
  }
  return env;
}

Environment Environment::Of(std::map<std::string, std::string> values) {
  Environment env;
  for (auto& [key, value] : values) env.values_[key] = std::move(value);
  return env;
}

std::optional<std::string> Environment::Get(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::function<const char*(const char*)> Environment::Lookup() const {
  return [this](const char* name) -> const char* {
    auto it = values_.find(std::string_view(name));
    return it == values_.end() ? nullptr : it->second.c_str();
  };
}

Result<Config> LoadConfig(const Environment& env, const std::string& data_dir,
                          SecretUse secret_use) {
  Config c;
  c.data_dir = data_dir;
  auto get = [&](const char* name) { return env.Get(name).value_or(""); };
  // An optional whole number from `low` to `high`; `*out` keeps its default when unset.
  auto number = [&](const char* name, int low, int high, const char* what, int* out) {
    const std::string text = get(name);
    if (text.empty()) return Status::Ok();
    const std::optional<int> n = ParseInt(text, low, high);
    if (!n) {
      return Bad(name, std::string(what) + std::to_string(low) + " to " + std::to_string(high),
                 text);
    }
    *out = *n;
    return Status::Ok();
  };

  c.database_url = get("DATABASE_URL");
  if (c.database_url.empty()) c.database_url = "sqlite://" + data_dir + "/datastory.db";
  if (c.database_url.rfind("sqlite:", 0) != 0 && c.database_url.rfind("postgres://", 0) != 0 &&
      c.database_url.rfind("postgresql://", 0) != 0) {
    if (c.database_url.rfind("mongodb", 0) == 0) {  // the original platform's database
      return Status::InvalidArgument(
          "DATABASE_URL: mongodb:// is not supported, use postgres:// or sqlite://");
    }
    // Only the scheme is repeated: the rest may hold a password.
    const size_t colon = c.database_url.find(':');
    return Bad("DATABASE_URL", "sqlite://path or postgres://user:pass@host:port/db",
               c.database_url.substr(0, std::min<size_t>(colon + 1, 12)) + "…");
  }

  c.storage_url = get("STORAGE_URL");
  if (c.storage_url.empty()) c.storage_url = "file://" + data_dir + "/blobs";
  if (c.storage_url.rfind("file://", 0) != 0 && c.storage_url.rfind("s3://", 0) != 0) {
    return Bad("STORAGE_URL", "file://folder or s3://bucket/prefix", c.storage_url);
  }

  const std::string listen =
      get("DATASTORY_LISTEN").empty() ? "127.0.0.1:8080" : get("DATASTORY_LISTEN");
  const size_t colon = listen.rfind(':');
  const std::optional<int> port =
      colon == std::string::npos ? std::nullopt
                                 : ParseInt(std::string_view(listen).substr(colon + 1), 0, 65535);
  if (!port || colon == 0) {
    return Bad("DATASTORY_LISTEN", "host:port, e.g. 127.0.0.1:8080", listen);
  }
  c.listen_host = listen.substr(0, colon);
  if (c.listen_host.size() > 2 && c.listen_host.front() == '[' && c.listen_host.back() == ']') {
    c.listen_host = c.listen_host.substr(1, c.listen_host.size() - 2);  // [::1]:8080
  }
  c.listen_port = *port;

  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  c.workers = static_cast<int>(cores);
  DS_RETURN_IF_ERROR(number("DATASTORY_WORKERS", 0, 256, "a number of threads from ", &c.workers));

  c.tls_cert = get("DATASTORY_TLS_CERT");
  c.tls_key = get("DATASTORY_TLS_KEY");
  if (c.tls_cert.empty() != c.tls_key.empty()) {
    return Status::InvalidArgument(
        std::string(c.tls_cert.empty() ? "DATASTORY_TLS_CERT" : "DATASTORY_TLS_KEY") +
        ": HTTPS needs both DATASTORY_TLS_CERT and DATASTORY_TLS_KEY");
  }
  for (auto [name, path] :
       {std::pair<const char*, const std::string&>{"DATASTORY_TLS_CERT", c.tls_cert},
        {"DATASTORY_TLS_KEY", c.tls_key}}) {
    if (!path.empty() && ::access(path.c_str(), R_OK) != 0) {
      return Status::InvalidArgument(std::string(name) + ": cannot read " + EscapeControl(path) +
                                     ": " + std::strerror(errno));
    }
  }

  c.public_url = get("DATASTORY_PUBLIC_URL");
  if (c.public_url.empty()) {
    const bool v6 = c.listen_host.find(':') != std::string::npos;
    c.public_url = std::string(c.tls_cert.empty() ? "http://" : "https://") +
                   (v6 ? "[" + c.listen_host + "]" : c.listen_host) + ":" +
                   std::to_string(c.listen_port);
  }
  while (!c.public_url.empty() && c.public_url.back() == '/') c.public_url.pop_back();
  if ((c.public_url.rfind("http://", 0) != 0 && c.public_url.rfind("https://", 0) != 0) ||
      c.public_url.find_first_of(" \t\r\n") != std::string::npos) {
    return Bad("DATASTORY_PUBLIC_URL", "the URL users see, http(s)://host[:port]", c.public_url);
  }

  DS_RETURN_IF_ERROR(number("DATASTORY_BCRYPT_COST", 10, 16, "bcrypt's cost, ", &c.bcrypt_cost));
  DS_RETURN_IF_ERROR(number("DATASTORY_READ_TIMEOUT", 1, 3600, "seconds, ", &c.read_timeout_s));
  DS_RETURN_IF_ERROR(
      number("DATASTORY_UPLOADS_PER_HOUR", 1, 1000000, "uploads, ", &c.uploads_per_hour));
  DS_RETURN_IF_ERROR(number("DATASTORY_JOB_LEASE", 2, 3600, "seconds, ", &c.job_lease_s));
  const std::string proxies = get("DATASTORY_TRUSTED_PROXIES");
  for (std::string_view rest = proxies; !rest.empty();) {
    const size_t comma = rest.find(',');
    std::string address(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    address.erase(0, address.find_first_not_of(' '));
    address.erase(address.find_last_not_of(' ') + 1);
    if (!IsIpAddress(address)) {
      return Bad("DATASTORY_TRUSTED_PROXIES", "IP addresses separated by commas", address);
    }
    c.trusted_proxies.push_back(address);
  }

  if (auto secret = env.Get("DATASTORY_SECRET")) {
    if (secret->size() < 32) {
      return Status::InvalidArgument(
          "DATASTORY_SECRET: expected at least 32 characters (it signs cookies and URLs)");
    }
    c.secret = *secret;
  } else if (secret_use == SecretUse::kNeeded) {
    DS_ASSIGN_OR_RETURN(c.secret, StoredSecret(data_dir, &c.secret_generated));
  }
  return c;
}

}  // namespace datastory::config
