#pragma once
// `aiohub client-config CLIENT --base-url URL --key KEY` and `--list`.
#include <CLI/CLI.hpp>
#include <memory>
#include <string>

namespace aiohub::web {

class ClientConfigCommand {
 public:
  explicit ClientConfigCommand(CLI::App& app);
  bool parsed() const { return cmd_->parsed(); }
  int run() const;

 private:
  CLI::App* cmd_;
  std::string client_;
  std::string base_url_ = "http://127.0.0.1:3000";
  std::string key_;
  std::string model_;
  bool list_ = false;
};

}  // namespace aiohub::web
