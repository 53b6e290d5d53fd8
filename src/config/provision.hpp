#pragma once
// Bringing a database up to what the config file says: the default groups on
// a fresh database, then every section of the file created or updated by
// name, and on a fresh database without channels a demo setup that answers
// without any provider account.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "store/store.hpp"

namespace aiohub {

inline constexpr const char* kDemoChannel = "demo";
inline constexpr const char* kDemoModel = "aiohub-demo";
inline constexpr const char* kDemoGroup = "openai";

struct ProvisionResult {
  bool fresh_database = false;
  std::optional<std::string> new_admin_token;                       // generated now; shown once
  std::optional<std::string> demo_key;                              // created now; shown once
  std::vector<std::pair<std::string, std::string>> generated_keys;  // name, secret
};

ProvisionResult provision(Store& store, const Config& config);

const std::vector<GroupRecord>& default_groups();

struct NewKey {
  KeyRecord record;
  std::string secret;
};

// A key record for `secret` (or a newly generated secret when empty).
NewKey make_key(const std::string& name, const std::string& group,
                std::optional<std::string> secret = std::nullopt);

// True when the admin token matches the stored hash (constant-time).
bool admin_token_matches(Store& store, std::string_view token);

}  // namespace aiohub
