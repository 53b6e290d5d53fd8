#include "web/client_config.hpp"

#include <boost/json.hpp>
#include <cstring>

extern "C" const char aiohub_clients_json[];

namespace aiohub::web {
namespace json = boost::json;
namespace {

constexpr std::string_view kKeyPlaceholder = "sk-YOUR-AIOHUB-KEY";

const json::object& document() {
  static const json::value doc = json::parse(clients_json());
  return doc.as_object();
}

std::string str(const json::object& o, std::string_view field) {
  auto* v = o.if_contains(field);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// By id, or by one of the client's "aliases" (an app's own name: cline -> openai-compatible).
const json::object* find_client(std::string_view id) {
  for (auto& c : document().at("clients").as_array())
    if (c.as_object().at("id").as_string() == id) return &c.as_object();
  for (auto& c : document().at("clients").as_array())
    if (auto* aliases = c.as_object().if_contains("aliases"))
      for (auto& a : aliases->as_array())
        if (a.as_string() == id) return &c.as_object();
  return nullptr;
}

}  // namespace

std::string_view clients_json() {
  return {aiohub_clients_json, std::strlen(aiohub_clients_json)};
}

std::vector<ClientSummary> list_clients() {
  std::vector<ClientSummary> out;
  for (auto& c : document().at("clients").as_array()) {
    auto& o = c.as_object();
    out.push_back({str(o, "id"), str(o, "name"), str(o, "protocol")});
  }
  return out;
}

std::string normalize_root(std::string_view url) {
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  if (url.size() >= 3 && url.substr(url.size() - 3) == "/v1") url.remove_suffix(3);
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  return std::string(url);
}

std::string fill_placeholders(std::string_view text, const ClientValues& values) {
  const std::string root = normalize_root(values.root);
  std::string out;
  out.reserve(text.size() + 64);
  while (!text.empty()) {
    auto open = text.find("{{");
    auto close = open == std::string_view::npos ? open : text.find("}}", open);
    if (close == std::string_view::npos) {
      out.append(text);
      break;
    }
    out.append(text.substr(0, open));
    std::string_view name = text.substr(open + 2, close - open - 2);
    if (name == "root")
      out += root;
    else if (name == "v1")
      out += root + "/v1";
    else if (name == "key")
      out += values.key.empty() ? std::string(kKeyPlaceholder) : values.key;
    else if (name == "model")
      out += values.model;
    else
      out.append(text.substr(open, close + 2 - open));
    text.remove_prefix(close + 2);
  }
  return out;
}

std::optional<std::string> render_client_config(std::string_view id, const ClientValues& values) {
  const json::object* c = find_client(id);
  if (!c) return std::nullopt;
  ClientValues v = values;
  if (v.model.empty()) v.model = str(*c, "default_model");
  const std::string root = normalize_root(v.root);
  const bool v1 = str(*c, "base") == "v1";

  std::string out = "# " + str(*c, "name") + "\n";
  out += "# Protocol: " + str(*c, "protocol") + " (endpoint \"" + str(*c, "endpoint") + "\")\n";
  out +=
      "# Base URL: " + (v1 ? root + "/v1 (with /v1)" : root + " (the gateway root, no /v1)") + "\n";
  std::string groups;
  for (auto& g : c->at("groups").as_array()) {
    if (!groups.empty()) groups += ", ";
    groups += std::string(g.as_string());
  }
  out += "# Served by: a key whose group allows \"" + str(*c, "endpoint") +
         "\" and has the model (e.g. " + groups + ")\n";
  for (auto& f : c->at("files").as_array()) {
    auto& file = f.as_object();
    out += "\n## " + str(file, "title");
    if (auto path = str(file, "path"); !path.empty()) out += " [" + path + "]";
    out += "\n" + fill_placeholders(str(file, "text"), v) + "\n";
  }
  if (auto* notes = c->if_contains("notes"); notes && !notes->as_array().empty()) {
    out += "\n## Notes\n";
    for (auto& n : notes->as_array())
      out += "- " + fill_placeholders(std::string_view(n.as_string()), v) + "\n";
  }
  return out;
}

}  // namespace aiohub::web
