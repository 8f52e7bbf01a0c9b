// Test support: a throw-away database on the PostgreSQL server that PGHOST, PGPORT, PGUSER and
// PGPASSWORD name (`make test` runs the tests under `pg_virtualenv -v 15`, which starts a
// cluster and sets them). Each test gets its own database, so tests can run in parallel.
#ifndef DATASTORY_STORE_TESTING_SCRATCH_POSTGRES_H_
#define DATASTORY_STORE_TESTING_SCRATCH_POSTGRES_H_

#include <memory>
#include <string>
#include <string_view>

#include "datastory/result.h"

namespace datastory::store::testing {

class ScratchPostgres {
 public:
  // Creates database <prefix>_<pid>_<n>. Fails, naming the command to run, when no server is
  // configured or it does not answer.
  static Result<std::unique_ptr<ScratchPostgres>> Create(std::string_view prefix);
  ~ScratchPostgres();  // drops the database, closing whatever is still connected to it

  ScratchPostgres(const ScratchPostgres&) = delete;
  ScratchPostgres& operator=(const ScratchPostgres&) = delete;

  const std::string& name() const { return name_; }
  // postgres:///<name>: libpq takes host, port, user and password from the environment.
  std::string url() const { return "postgres:///" + name_; }

  // Terminates every backend connected to the database (pg_terminate_backend), as an operator
  // or a failover would; returns how many.
  Result<int> TerminateBackends();
  // Connections open to the database now.
  Result<int> CountBackends();

 private:
  explicit ScratchPostgres(std::string name) : name_(std::move(name)) {}
  std::string name_;
};

// Restarts the PostgreSQL cluster on PGPORT (pg_ctlcluster … restart -m <mode>): every
// connection is closed, and the server is back a few seconds later. "fast" shuts down
// cleanly; "immediate" stops at once, as a crash would, and the server recovers from its WAL.
Status RestartPostgres(std::string_view mode = "fast");

}  // namespace datastory::store::testing

#endif  // DATASTORY_STORE_TESTING_SCRATCH_POSTGRES_H_
