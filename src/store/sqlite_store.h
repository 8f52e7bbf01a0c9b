// The SQLite engine of the Store port (private to the store module; OpenStore picks it).
#ifndef DATASTORY_STORE_SQLITE_STORE_H_
#define DATASTORY_STORE_SQLITE_STORE_H_

#include <memory>
#include <string>

#include "store/store.h"

namespace datastory::store {

// Opens (creating it if needed) the database file at `path`, or ":memory:". Does not migrate.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, bool full_sync,
                                               const Clock& clock, const TierTable& tiers,
                                               const RetryPolicy& retry);

}  // namespace datastory::store

#endif  // DATASTORY_STORE_SQLITE_STORE_H_
