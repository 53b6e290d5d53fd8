#include "cli/main_command.hpp"

#include <sys/stat.h>

#include <iostream>

#include "cli/command.hpp"

namespace aiohub::cli {

void DatabaseOptions::add_to(CLI::App* cmd) {
  cmd->add_option("-c,--config", config_path, "TOML configuration file");
  cmd->add_option("--database", database, "database URL (overrides the config file)");
}

Config DatabaseOptions::load() const {
  Config cfg = config_path.empty() ? Config{} : load_config_file(config_path);
  if (!database.empty()) cfg.server.database = database;
  return cfg;
}

std::unique_ptr<Store> DatabaseOptions::open() const {
  auto store = open_store(load().server.database);
  store->migrate();
  return store;
}

int fail(std::string_view message, int exit_code) {
  std::cerr << "aiohub: " << message << "\n";
  return exit_code;
}

int main_command(int argc, char** argv) {
  // The database, its journal, the usage queue and stored images are the
  // owner's alone, whichever command creates them.
  umask(077);
  CLI::App app{"aiohub: one LLM gateway for every client protocol"};
  app.require_subcommand(1);
  Commands commands;
  add_serve(app, commands);
  add_key(app, commands);
  add_channel(app, commands);
  add_logs(app, commands);
  add_client_config(app, commands);
  add_usage(app, commands);
  add_migrate(app, commands);
  add_status(app, commands);

  CLI11_PARSE(app, argc, argv);

  try {
    for (auto& c : commands)
      if (c.app->parsed()) return c.run();
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  return 0;
}

}  // namespace aiohub::cli
