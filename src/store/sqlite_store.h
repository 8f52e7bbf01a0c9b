// The SQLite engine of the Store port (private to the store module; OpenStore picks it).
#ifndef DATASTORY_STORE_SQLITE_STORE_H_
#define DATASTORY_STORE_SQLITE_STORE_H_

#include <memory>
#include <string>

#include "store/store.h"

namespace datastory::store {

struct SqliteOptions {
  bool full_sync = false;  // synchronous=FULL: no commit lost even to a power cut
  int readers = 4;         // read connections beside the writer
};

// Opens (creating it if needed) the database file at `path`, or ":memory:" (which reads
// through its writer). Does not migrate.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, const SqliteOptions& sqlite,
                                               const StoreOptions& options);

}  // namespace datastory::store

#endif  // DATASTORY_STORE_SQLITE_STORE_H_
