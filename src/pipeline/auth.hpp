#pragma once
// Finding the caller's key in whichever header its client uses, and deciding
// whether it may spend.
#include <boost/beast/http/fields.hpp>

#include <string_view>

#include "domain/snapshot.hpp"
#include "protocols/errors.hpp"

namespace aiohub {

// The presented secret: Authorization: Bearer, x-api-key, x-goog-api-key, or
// ?key= in the query string; empty when none.
std::string_view presented_key(const boost::beast::http::fields& headers, std::string_view query);

struct AuthResult {
  const Key* key = nullptr;  // set when accepted
  ApiError error;            // otherwise
};

AuthResult authenticate(const Snapshot& snap, std::string_view secret, std::int64_t now_s);

}  // namespace aiohub
