// `aiohub channel list`: the channels as GET /api/channels shows them, with
// their health; never their credentials.
#include <iostream>

#include "admin/channel_view.hpp"
#include "cli/command.hpp"
#include "cli/text_table.hpp"
#include "util/time.hpp"

namespace aiohub::cli {

namespace json = boost::json;

namespace {

std::string health_text(const std::optional<ChannelHealthRecord>& h) {
  if (!h || h->state == "healthy") return "healthy";
  std::string out = h->state;
  if (h->state == "cooling_down" && h->until_ms)
    out += " until " + format_rfc3339(h->until_ms / 1000);
  if (!h->reason.empty()) out += ": " + h->reason;
  return out;
}

int list(const DatabaseOptions& db, bool as_json) {
  auto store = db.open();
  auto health = store->channel_health();
  TextTable table({"name", "type", "base_url", "priority", "weight", "enabled", "models", "health"},
                  {false, false, false, true, true, false, true});
  for (auto& c : store->channels()) {
    std::optional<ChannelHealthRecord> h;
    for (auto& rec : health)
      if (rec.channel == c.name) h = rec;
    if (as_json) {
      json::object o = admin::channel_json(c, h);
      o["has_api_key"] = !c.api_key.empty();
      std::cout << json::serialize(o) << "\n";
      continue;
    }
    table.add({c.name, c.type, c.base_url.empty() ? "-" : c.base_url, std::to_string(c.priority),
               std::to_string(c.weight), c.enabled ? "yes" : "no", std::to_string(c.models.size()),
               health_text(h)});
  }
  if (!as_json) std::cout << table.render();
  return 0;
}

}  // namespace

void add_channel(CLI::App& app, Commands& out) {
  auto* channel = app.add_subcommand("channel", "inspect channels");
  channel->require_subcommand(1);
  struct Options {
    DatabaseOptions db;
    bool as_json = false;
  };
  auto o = std::make_shared<Options>();
  auto* list_cmd = channel->add_subcommand("list", "list channels (never their credentials)");
  o->db.add_to(list_cmd);
  list_cmd->add_flag("--json", o->as_json, "one JSON object per line");
  out.push_back({list_cmd, [o] { return list(o->db, o->as_json); }});
}

}  // namespace aiohub::cli
