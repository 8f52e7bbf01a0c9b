#include "store/testing/scratch_postgres.h"

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace datastory::store::testing {
namespace {

constexpr const char* kHowToRun =
    "the PostgreSQL tests need a server: run them with `make test`, which starts one with "
    "`pg_virtualenv -v 15` (package postgresql-common, installed by scripts/install-deps.sh), "
    "or set PGHOST, PGPORT, PGUSER and PGPASSWORD";

// Runs `sql` on the maintenance database; returns the first value of the first row, if any.
Result<std::string> Admin(const std::string& sql) {
  if (!std::getenv("PGHOST") && !std::getenv("PGPORT")) return Status::Unavailable(kHowToRun);
  PGconn* conn = PQconnectdb("dbname=postgres");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string error = PQerrorMessage(conn);
    PQfinish(conn);
    return Status::Unavailable(std::string(kHowToRun) + " (" + error + ")");
  }
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  PGresult* result = PQexec(conn, sql.c_str());
  const ExecStatusType status = PQresultStatus(result);
  std::string value;
  if (status == PGRES_TUPLES_OK && PQntuples(result) > 0) value = PQgetvalue(result, 0, 0);
  std::string error = PQerrorMessage(conn);
  PQclear(result);
  PQfinish(conn);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return Status::Unavailable("postgres: " + sql + ": " + error);
  }
  return value;
}

}  // namespace

Result<std::unique_ptr<ScratchPostgres>> ScratchPostgres::Create(std::string_view prefix) {
  static std::atomic<int> counter = 0;
  std::string name =
      std::string(prefix) + "_" + std::to_string(getpid()) + "_" + std::to_string(++counter);
  DS_RETURN_IF_ERROR(Admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").status());
  DS_RETURN_IF_ERROR(Admin("CREATE DATABASE " + name).status());
  return std::unique_ptr<ScratchPostgres>(new ScratchPostgres(std::move(name)));
}

ScratchPostgres::~ScratchPostgres() {
  static_cast<void>(Admin("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)"));
}

Result<int> ScratchPostgres::TerminateBackends() {
  DS_ASSIGN_OR_RETURN(std::string count,
                      Admin("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM "
                            "pg_stat_activity WHERE datname = '" +
                            name_ + "' AND pid <> pg_backend_pid()"));
  return std::atoi(count.c_str());
}

Result<int> ScratchPostgres::CountBackends() {
  DS_ASSIGN_OR_RETURN(std::string count, Admin("SELECT count(*) FROM pg_stat_activity WHERE "
                                               "datname = '" +
                                               name_ + "'"));
  return std::atoi(count.c_str());
}

Status RestartPostgres(std::string_view mode) {
  const char* port = std::getenv("PGPORT");
  if (!port) return Status::Unavailable(kHowToRun);
  // pg_lsclusters -h prints "<version> <cluster> <port> <status> …" per cluster.
  FILE* list = popen("pg_lsclusters -h", "r");
  if (!list) return Status::Unavailable("cannot run pg_lsclusters");
  std::string version, cluster;
  char line[512];
  while (fgets(line, sizeof line, list)) {
    std::istringstream fields(line);
    std::string v, c, p;
    fields >> v >> c >> p;
    if (p == port) version = v, cluster = c;
  }
  pclose(list);
  if (cluster.empty()) {
    return Status::NotFound("no PostgreSQL cluster on port " + std::string(port));
  }
  const std::string command = "pg_ctlcluster " + version + " " + cluster + " restart -m " +
                              std::string(mode) + " >/dev/null 2>&1";
  if (std::system(command.c_str()) != 0) return Status::Unavailable("failed: " + command);
  return Status::Ok();
}

}  // namespace datastory::store::testing
