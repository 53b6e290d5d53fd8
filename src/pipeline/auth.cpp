#include "pipeline/auth.hpp"

#include "billing/key_state.hpp"
#include "util/crypto.hpp"
#include "util/strings.hpp"

namespace aiohub {
std::string_view presented_key(const boost::beast::http::fields& headers, std::string_view query) {
  namespace http = boost::beast::http;
  if (auto it = headers.find(http::field::authorization); it != headers.end()) {
    std::string_view v = trim(it->value());
    if (istarts_with(v, "bearer ")) return trim(v.substr(7));
  }
  for (std::string_view name : {"x-api-key", "x-goog-api-key"})
    if (auto it = headers.find(name); it != headers.end()) return trim(it->value());
  // ?key=... (Gemini clients); keys are URL-safe, so no decoding is needed.
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    if (pair.substr(0, 4) == "key=") return pair.substr(4);
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

AuthResult authenticate(const Snapshot& snap, std::string_view secret, std::int64_t now_s) {
  AuthResult r;
  if (secret.empty()) {
    r.error = {401, "Missing API key: send it as 'Authorization: Bearer sk-...'.",
               "invalid_api_key", ""};
    return r;
  }
  // Look up by hash: the secret itself is never compared, and equal-length
  // digests are compared in constant time below.
  const std::string hash = sha256_hex(secret);
  auto it = snap.keys_by_hash.find(hash);
  if (it == snap.keys_by_hash.end() || !constant_time_equal(it->second.record.hash, hash)) {
    r.error = {401, "Invalid API key.", "invalid_api_key", ""};
    return r;
  }
  const Key& key = it->second;
  if (!key.record.enabled) {
    r.error = {401, "This API key has been disabled.", "invalid_api_key", ""};
    return r;
  }
  if (key.record.expires_at && *key.record.expires_at <= now_s) {
    r.error = {401, "This API key has expired.", "invalid_api_key", ""};
    return r;
  }
  if (key.record.quota &&
      key.state->balance.used.load(std::memory_order_relaxed) >= *key.record.quota) {
    r.error = {429, "This API key has used all of its quota.", "insufficient_quota",
               "insufficient_quota"};
    return r;
  }
  r.key = &key;
  return r;
}

}  // namespace aiohub
