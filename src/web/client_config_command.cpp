#include "web/client_config_command.hpp"

#include <iostream>

#include "web/client_config.hpp"

namespace aiohub::web {

ClientConfigCommand::ClientConfigCommand(CLI::App& app)
    : cmd_(app.add_subcommand("client-config",
                              "print the set-up for a client (the same text as the /setup page)")) {
  cmd_->add_option("client", client_, "client id (see --list)");
  cmd_->add_option("--base-url", base_url_,
                   "this gateway's root URL (default http://127.0.0.1:3000)");
  cmd_->add_option("--key", key_, "the key to fill in (default: a placeholder)");
  cmd_->add_option("--model", model_, "the model to fill in (default: the client's usual one)");
  cmd_->add_flag("--list", list_, "list the clients");
}

int ClientConfigCommand::run() const {
  if (list_ || client_.empty()) {
    for (auto& c : list_clients()) std::cout << c.id << "\t" << c.name << "\n";
    return client_.empty() && !list_ ? 2 : 0;
  }
  auto text = render_client_config(client_, {base_url_, key_, model_});
  if (!text) {
    std::cerr << "aiohub: unknown client '" << client_ << "'. Known clients:\n";
    for (auto& c : list_clients()) std::cerr << "  " << c.id << "\t" << c.name << "\n";
    return 2;
  }
  std::cout << *text;
  return 0;
}

}  // namespace aiohub::web
