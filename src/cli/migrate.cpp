// `aiohub migrate`: create or upgrade the schema, then exit.
#include <iostream>

#include "cli/command.hpp"
#include "store/pg_connection.hpp"

namespace aiohub::cli {

namespace {

int migrate(const DatabaseOptions& o) {
  Config cfg = o.load();
  auto store = open_store(cfg.server.database);
  store->migrate();
  std::cout << (is_postgres_url(cfg.server.database) ? "postgresql" : "sqlite") << " "
            << redact_database_url(cfg.server.database) << ": schema version "
            << store->meta("schema_version").value_or("?") << "\n";
  return 0;
}

}  // namespace

void add_migrate(CLI::App& app, Commands& out) {
  auto o = std::make_shared<DatabaseOptions>();
  auto* cmd = app.add_subcommand("migrate", "create or upgrade the database schema, then exit");
  o->add_to(cmd);
  out.push_back({cmd, [o] { return migrate(*o); }});
}

}  // namespace aiohub::cli
