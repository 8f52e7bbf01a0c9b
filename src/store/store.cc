#include "store/store.h"

#include <algorithm>
#include <charconv>

#include "base/text.h"
#include "store/postgres_store.h"
#include "store/sqlite_store.h"

namespace datastory::store {

Result<std::unique_ptr<Store>> OpenStore(std::string_view url, const StoreOptions& options) {
  const std::string text(url);
  auto starts = [&](std::string_view prefix) { return url.substr(0, prefix.size()) == prefix; };
  if (starts("mongodb://") || starts("mongodb+srv://")) {
    return Status::InvalidArgument(
        "DATABASE_URL: mongodb:// is not supported, use postgres:// "
        "or sqlite://");
  }
  if (starts("sqlite:")) {
    // sqlite:///abs/path, sqlite://relative/path, sqlite::memory:; options may follow.
    std::string rest = text.substr(7);
    SqliteOptions sqlite;
    if (size_t q = rest.find('?'); q != std::string::npos) {
      std::string query = rest.substr(q + 1);
      rest.resize(q);
      size_t start = 0;
      while (start <= query.size()) {
        size_t end = query.find('&', start);
        if (end == std::string::npos) end = query.size();
        const std::string option = query.substr(start, end - start);
        start = end + 1;
        int readers = -1;
        if (option == "synchronous=full") {
          sqlite.full_sync = true;
        } else if (option == "synchronous=normal") {
          sqlite.full_sync = false;
        } else if (option.rfind("readers=", 0) == 0 && option.size() <= 10 &&
                   std::from_chars(option.data() + 8, option.data() + option.size(), readers).ptr ==
                       option.data() + option.size() &&
                   readers >= 0 && readers <= 64) {
          sqlite.readers = readers;
        } else {
          return Status::InvalidArgument("DATABASE_URL: unknown option \"" +
                                         EscapeControl(option.substr(0, 40)) +
                                         "\" (expected synchronous=normal|full, readers=0..64)");
        }
      }
    }
    if (rest.rfind("//", 0) == 0) rest = rest.substr(2);
    if (rest.empty()) {
      return Status::InvalidArgument(
          "DATABASE_URL: sqlite:// needs a file path, e.g. "
          "sqlite://./data/datastory.db");
    }
    return OpenSqliteStore(rest, sqlite, options);
  }
  if (starts("postgres://") || starts("postgresql://")) {
    DS_ASSIGN_OR_RETURN(PostgresUrl pg, SplitPostgresUrl(text));
    return OpenPostgresStore(pg.conninfo, pg.options, options);
  }
  // Only the scheme is repeated: the rest may hold a password.
  const size_t colon = text.find(':');
  return Status::InvalidArgument(
      "DATABASE_URL: expected sqlite://path or postgres://user:pass@host:port/db, got a URL "
      "starting \"" +
      text.substr(0, std::min<size_t>(colon == std::string::npos ? 12 : colon + 1, 12)) + "\"");
}

}  // namespace datastory::store
