// aiohub: the command line (src/cli/). `serve` runs the gateway; the other
// commands work on the same database from the shell.
#include "cli/main_command.hpp"

int main(int argc, char** argv) {
  return aiohub::cli::main_command(argc, argv);
}
