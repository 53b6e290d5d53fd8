#pragma once
// Change notices from the database: a callback as soon as another process
// commits a configuration change, so that instances need not wait for their
// next poll. PostgreSQL delivers them with LISTEN/NOTIFY; SQLite has none
// (callers keep polling, which they do anyway as the fallback).
#include <functional>
#include <memory>
#include <string_view>

namespace aiohub {

class ChangeListener {
 public:
  virtual ~ChangeListener() = default;
};

// Calls `on_change` (from a thread of its own) after each committed change to
// the configuration; reconnects by itself. Null when the back end has no
// notices. The callback must be cheap and must not throw.
std::unique_ptr<ChangeListener> listen_for_config_changes(std::string_view database_url,
                                                          std::function<void()> on_change);

// The notification channel the PostgreSQL store signals on.
inline constexpr const char* kConfigChangedChannel = "aiohub_config";

}  // namespace aiohub
