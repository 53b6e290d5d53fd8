// `aiohub client-config CLIENT --base-url URL --key KEY` and `--list`: the
// same texts as the /setup page (web/client_config.hpp).
#include <iostream>

#include "cli/command.hpp"
#include "web/client_config.hpp"

namespace aiohub::cli {

namespace {

struct Options {
  std::string client;
  std::string base_url = "http://127.0.0.1:3000";
  std::string key;
  std::string model;
  bool list = false;
};

int run(const Options& o) {
  if (o.list || o.client.empty()) {
    for (auto& c : web::list_clients()) std::cout << c.id << "\t" << c.name << "\n";
    return o.client.empty() && !o.list ? 2 : 0;
  }
  auto text = web::render_client_config(o.client, {o.base_url, o.key, o.model});
  if (!text) {
    std::cerr << "aiohub: unknown client '" << o.client << "'. Known clients:\n";
    for (auto& c : web::list_clients()) std::cerr << "  " << c.id << "\t" << c.name << "\n";
    return 2;
  }
  std::cout << *text;
  return 0;
}

}  // namespace

void add_client_config(CLI::App& app, Commands& out) {
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "client-config", "print the set-up for a client (the same text as the /setup page)");
  cmd->add_option("client", o->client, "client id (see --list)");
  cmd->add_option("--base-url", o->base_url,
                  "this gateway's root URL (default http://127.0.0.1:3000)");
  cmd->add_option("--key", o->key, "the key to fill in (default: a placeholder)");
  cmd->add_option("--model", o->model, "the model to fill in (default: the client's usual one)");
  cmd->add_flag("--list", o->list, "list the clients");
  out.push_back({cmd, [o] { return run(*o); }});
}

}  // namespace aiohub::cli
