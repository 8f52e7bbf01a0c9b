// The schema as numbered migrations, per SQL dialect. A migration is never edited once it has
// shipped: a change is a new, higher number. Engines record what they applied in
// schema_migrations(version, applied_at).
#ifndef DATASTORY_STORE_MIGRATIONS_H_
#define DATASTORY_STORE_MIGRATIONS_H_

#include <string>
#include <vector>

namespace datastory::store {

enum class Dialect { kSqlite, kPostgres };

struct Migration {
  int version;
  std::string sql;  // one or more statements
};

// In version order.
const std::vector<Migration>& Migrations(Dialect dialect);

}  // namespace datastory::store

#endif  // DATASTORY_STORE_MIGRATIONS_H_
