#pragma once
// Client set-up texts (Claude Code, Codex CLI, ...) from web/src/clients.json,
// the one source shared with the /setup page. Rendering is plain placeholder
// substitution, done the same way by web/src/setup/render.js.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aiohub::web {

struct ClientValues {
  std::string root;   // gateway root URL; a trailing "/" or "/v1" is dropped
  std::string key;    // empty: a placeholder is shown
  std::string model;  // empty: the client's default model
};

struct ClientSummary {
  std::string id;
  std::string name;
  std::string protocol;
};

// The embedded clients.json text.
std::string_view clients_json();

std::vector<ClientSummary> list_clients();

// "http://h:3000/v1/" -> "http://h:3000".
std::string normalize_root(std::string_view url);

// Replaces {{root}}, {{v1}}, {{key}} and {{model}}.
std::string fill_placeholders(std::string_view text, const ClientValues& values);

// The full set-up text for one client; nullopt for an unknown id.
std::optional<std::string> render_client_config(std::string_view id, const ClientValues& values);

}  // namespace aiohub::web
