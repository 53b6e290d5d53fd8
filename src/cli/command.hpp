#pragma once
// The shell commands. Each file of cli/ adds one command (with its
// subcommands) to the CLI11 app and says how to run it once parsed;
// main_command.cpp puts them together.
#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "store/store.hpp"

namespace aiohub::cli {

// --config FILE and --database URL, taken by every command that works on
// the database.
struct DatabaseOptions {
  std::string config_path;
  std::string database;

  void add_to(CLI::App* cmd);
  // The configuration file (or the defaults), with --database applied.
  Config load() const;
  // load()'s database, its schema created or upgraded.
  std::unique_ptr<Store> open() const;
};

// How every command reports a failure: "aiohub: MESSAGE" on stderr. Returns
// `exit_code` (1, or 2 for a misused command line).
int fail(std::string_view message, int exit_code = 1);

struct Command {
  CLI::App* app;             // the (sub)command as added to the parser
  std::function<int()> run;  // returns the exit code
};
using Commands = std::vector<Command>;

void add_serve(CLI::App& app, Commands& out);
void add_key(CLI::App& app, Commands& out);
void add_channel(CLI::App& app, Commands& out);
void add_logs(CLI::App& app, Commands& out);
void add_usage(CLI::App& app, Commands& out);
void add_migrate(CLI::App& app, Commands& out);
void add_status(CLI::App& app, Commands& out);
void add_client_config(CLI::App& app, Commands& out);

}  // namespace aiohub::cli
