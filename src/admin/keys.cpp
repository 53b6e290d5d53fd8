#include "admin/keys.hpp"

#include <algorithm>

#include "store/store.hpp"

namespace aiohub::admin {

namespace {

ApiError invalid(std::string message) {
  return ApiError{400, std::move(message), "", "invalid_request"};
}

}  // namespace

Status check_key_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return invalid("'name' must be 1 to 64 characters.");
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7f || c == '/')
      return invalid("'name' must not contain '/' or control characters.");
  return {};
}

Status check_key_group(Store& store, std::string_view group) {
  if (group == kAutoGroup) return {};
  for (auto& g : store.groups())
    if (g.name == group) return {};
  return invalid("Unknown group '" + std::string(group) + "'.");
}

Result<KeyRecord> create_key(Store& store, const KeyRecord& key) {
  if (auto st = check_key_name(key.name); !st.ok()) return st.error();
  if (auto st = check_key_group(store, key.group); !st.ok()) return st.error();
  if (store.key_by_name(key.name))
    return ApiError{409, "A key named '" + key.name + "' already exists.", "", "conflict"};
  store.upsert_key(key);
  auto stored = store.key_by_name(key.name);
  if (!stored) return ApiError{500, "The key was not stored.", "", "internal_error"};
  return *stored;
}

json::object key_json(const KeyRecord& k, Micros used) {
  json::object o;
  o["name"] = k.name;
  o["prefix"] = k.prefix;
  o["group"] = k.group;
  o["quota_usd"] = opt_usd(k.quota);
  o["quota_micros"] = opt_int(k.quota);
  o["used_usd"] = usd_value(used);
  o["used_micros"] = used;
  std::optional<Micros> remaining;
  if (k.quota) remaining = std::max<Micros>(0, *k.quota - used);
  o["remaining_usd"] = opt_usd(remaining);
  o["remaining_micros"] = opt_int(remaining);
  o["enabled"] = k.enabled;
  o["expires_at"] = opt_int(k.expires_at);
  o["models"] = string_array(k.models);
  o["limits"] = limits_json(k.limits);
  o["created_at"] = k.created_at;
  return o;
}

}  // namespace aiohub::admin
