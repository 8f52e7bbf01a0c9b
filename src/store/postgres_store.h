// The PostgreSQL engine of the Store port (private to the store module; OpenStore picks it).
#ifndef DATASTORY_STORE_POSTGRES_STORE_H_
#define DATASTORY_STORE_POSTGRES_STORE_H_

#include <memory>
#include <string>
#include <string_view>

#include "store/store.h"

namespace datastory::store {

struct PostgresOptions {
  // The pool opens min_connections at once and grows to max_connections under load; a request
  // waits for a free connection when all are busy.
  int min_connections = 2;
  int max_connections = 10;
  // How long an operation keeps trying when the server is away (restarting, or its connection
  // was killed): reconnecting with back-off from 50 ms up to 1 s between tries.
  int64_t reconnect_window_ms = 15000;
};

struct PostgresUrl {
  std::string conninfo;  // for libpq
  PostgresOptions options;
};

// Takes this engine's own query parameters (pool_min, pool_max, reconnect_ms) out of a
// postgres:// URL and leaves the rest (sslmode, connect_timeout, …) to libpq, adding bounds on
// a lost server's hold (connect_timeout=5, TCP keepalives, tcp_user_timeout=60000) where the
// URL sets none. InvalidArgument, naming DATABASE_URL, when one of ours is not a whole number
// up to 1,000,000.
Result<PostgresUrl> SplitPostgresUrl(std::string_view url);

// `conninfo` is what libpq accepts (a postgres:// URI, without this engine's own parameters,
// which OpenStore takes out: pool_min, pool_max, reconnect_ms). Opens min_connections; does
// not migrate.
Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& conninfo,
                                                 const PostgresOptions& pg,
                                                 const StoreOptions& options);

}  // namespace datastory::store

#endif  // DATASTORY_STORE_POSTGRES_STORE_H_
