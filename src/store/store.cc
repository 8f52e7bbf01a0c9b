#include "store/store.h"

#include <algorithm>

#include "store/postgres_store.h"
#include "store/sqlite_store.h"

namespace datastory::store {

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
  // Only the scheme is repeated: the rest may hold a password.
  const size_t colon = text.find(':');
  return Status::InvalidArgument(
      "DATABASE_URL: expected sqlite://path or postgres://user:pass@host:port/db, got a URL "
      "starting \"" +
      text.substr(0, std::min<size_t>(colon == std::string::npos ? 12 : colon + 1, 12)) + "\"");
}

}  // namespace datastory::store
