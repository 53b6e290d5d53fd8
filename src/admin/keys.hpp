#pragma once
// Client keys as the admin API (/api/keys) and the shell (`aiohub key`)
// make and show them: one set of rules and one JSON shape for both.
#include <string_view>

#include "admin/json_util.hpp"
#include "domain/money.hpp"
#include "domain/records.hpp"
#include "domain/result.hpp"

namespace aiohub {
class Store;
}

namespace aiohub::admin {

// 1 to 64 characters, without '/' or control characters. 400 otherwise.
Status check_key_name(std::string_view name);
// A group the store has, or `auto` (the key tries the [auto] groups in
// turn). 400 otherwise.
Status check_key_group(Store& store, std::string_view group);

// Stores a new key after checking its name and group and that no key has
// its name yet (409). Returns the row as stored.
Result<KeyRecord> create_key(Store& store, const KeyRecord& key);

// The key without its secret; `used` is the balance to show (the running
// gateway's when there is one, it runs ahead of the database).
json::object key_json(const KeyRecord& k, Micros used);

}  // namespace aiohub::admin
