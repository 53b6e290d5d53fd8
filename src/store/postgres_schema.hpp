#pragma once
// The PostgreSQL schema as an ordered list of migrations. Each runs once, in
// its own transaction, and is recorded in `schema_migrations`; a database is
// upgraded by applying the ones it lacks. Never edit a released migration:
// append a new one.
#include <string>
#include <vector>

namespace aiohub {

class PgConnection;

struct PgMigration {
  int version;
  const char* description;
  const char* sql;
};

const std::vector<PgMigration>& postgres_migrations();

// Applies the missing migrations up to `target` (all when negative), under an
// advisory lock so that instances starting together do not race. Returns the
// schema version afterwards.
int migrate_postgres(PgConnection& conn, int target = -1);

}  // namespace aiohub
