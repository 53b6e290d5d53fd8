// `aiohub logs`: the newest rows of the request log, each as GET /api/logs
// shows it (admin::log_row_json).
#include <iostream>

#include "admin/usage_view.hpp"
#include "cli/command.hpp"

namespace aiohub::cli {

namespace json = boost::json;

void add_logs(CLI::App& app, Commands& out) {
  struct Options {
    DatabaseOptions db;
    int limit = 20;
    bool as_json = false;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("logs", "print recent usage rows");
  o->db.add_to(cmd);
  cmd->add_option("--limit", o->limit, "how many (newest first)");
  cmd->add_flag("--json", o->as_json, "a JSON array, rows as in GET /api/logs");
  out.push_back({cmd, [o] {
                   auto store = o->db.open();
                   UsageQuery q;
                   q.limit = o->limit;
                   json::array rows;
                   for (auto& r : store->query_usage(q)) rows.push_back(admin::log_row_json(r));
                   if (o->as_json) {
                     std::cout << json::serialize(rows) << "\n";
                   } else {
                     for (auto& v : rows) std::cout << json::serialize(v) << "\n";
                   }
                   return 0;
                 }});
}

}  // namespace aiohub::cli
