#pragma once
// The aiohub command line: `serve` runs the gateway; the other commands
// work on the same database from the shell.
namespace aiohub::cli {

int main_command(int argc, char** argv);

}  // namespace aiohub::cli
