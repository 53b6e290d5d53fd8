#pragma once
// Secrets and hashes: keys are stored only as SHA-256 digests, and every
// comparison of secret material is constant-time.
#include <string>
#include <string_view>

namespace aiohub {

// Hex SHA-256 of the input.
std::string sha256_hex(std::string_view data);

// `n` characters from the URL-safe alphabet [A-Za-z0-9_-], from OpenSSL's CSPRNG.
std::string random_urlsafe(std::size_t n);

// Equal-length inputs are compared without data-dependent timing.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace aiohub
