#include "store/store.h"

#include <charconv>

#include "store/postgres_store.h"
#include "store/sqlite_store.h"

namespace datastory::store {
namespace {

struct PostgresUrl {
  std::string conninfo;  // for libpq
  PostgresOptions options;
};

// Takes this engine's own query parameters (pool_min, pool_max, reconnect_ms) out of a
// postgres:// URL and leaves the rest (sslmode, connect_timeout, …) to libpq.
Result<PostgresUrl> SplitPostgresUrl(const std::string& url) {
  PostgresUrl out;
  const size_t q = url.find('?');
  out.conninfo = url.substr(0, q);
  if (q == std::string::npos) return out;
  std::string kept;
  size_t start = q + 1;
  while (start <= url.size()) {
    size_t end = url.find('&', start);
    if (end == std::string::npos) end = url.size();
    const std::string pair = url.substr(start, end - start);
    start = end + 1;
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    const std::string name = pair.substr(0, eq);
    if (name != "pool_min" && name != "pool_max" && name != "reconnect_ms") {
      kept += (kept.empty() ? "?" : "&") + pair;
      continue;
    }
    const std::string value = eq == std::string::npos ? "" : pair.substr(eq + 1);
    int64_t number = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
    if (ec != std::errc() || ptr != value.data() + value.size() || number < 0 || number > 1000000) {
      std::string message = "DATABASE_URL: " + name;
      message.append(" must be a whole number up to 1000000, got \"").append(value).append("\"");
      return Status::InvalidArgument(message);
    }
    if (name == "pool_min") out.options.min_connections = static_cast<int>(number);
    if (name == "pool_max") out.options.max_connections = static_cast<int>(number);
    if (name == "reconnect_ms") out.options.reconnect_window_ms = number;
  }
  out.conninfo += kept;
  return out;
}

}  // namespace

Result<std::unique_ptr<Store>> OpenStore(std::string_view url, const Clock& clock,
                                         const TierTable& tiers, const RetryPolicy& retry) {
  const std::string text(url);
  auto starts = [&](std::string_view prefix) { return url.substr(0, prefix.size()) == prefix; };
  if (starts("mongodb://") || starts("mongodb+srv://")) {
    return Status::InvalidArgument(
        "DATABASE_URL: mongodb:// is not supported, use postgres:// "
        "or sqlite://");
  }
  if (starts("sqlite:")) {
    // sqlite:///abs/path, sqlite://relative/path, sqlite::memory:; ?synchronous=full may follow.
    std::string rest = text.substr(7);
    bool full_sync = false;
    if (size_t q = rest.find('?'); q != std::string::npos) {
      std::string query = rest.substr(q + 1);
      rest.resize(q);
      if (query == "synchronous=full") {
        full_sync = true;
      } else if (query != "synchronous=normal") {
        return Status::InvalidArgument("DATABASE_URL: unknown option \"" + query +
                                       "\" (expected synchronous=normal or synchronous=full)");
      }
    }
    if (rest.rfind("//", 0) == 0) rest = rest.substr(2);
    if (rest.empty()) {
      return Status::InvalidArgument(
          "DATABASE_URL: sqlite:// needs a file path, e.g. "
          "sqlite://./data/datastory.db");
    }
    return OpenSqliteStore(rest, full_sync, clock, tiers, retry);
  }
  if (starts("postgres://") || starts("postgresql://")) {
    DS_ASSIGN_OR_RETURN(PostgresUrl pg, SplitPostgresUrl(text));
    return OpenPostgresStore(pg.conninfo, pg.options, clock, tiers, retry);
  }
  return Status::InvalidArgument(
      "DATABASE_URL: expected sqlite://path or postgres://user:pass@"
      "host:port/db, got \"" +
      text + "\"");
}

}  // namespace datastory::store
