#pragma once
// AWS Signature Version 4 for request headers (the Authorization header form,
// not presigned URLs), with OpenSSL's HMAC-SHA256 and SHA-256.
//
// The canonical request is
//   METHOD \n canonical URI \n canonical query \n canonical headers \n
//   signed header names \n hex SHA-256 of the payload
// where every service but S3 URI-encodes each path segment of the path as
// sent once more (a Bedrock model id "a:0" travels as "a%3A0" and is signed as
// "a%253A0"), the query pairs are encoded and sorted, and header names are
// lowercased and sorted with their values trimmed and inner runs of spaces
// collapsed. The string to sign is
//   AWS4-HMAC-SHA256 \n amz date \n date/region/service/aws4_request \n
//   hex SHA-256 of the canonical request
// and the key is HMAC chained over date, region, service and "aws4_request",
// starting from "AWS4" + secret.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aiohub::sigv4 {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // optional; signed as x-amz-security-token
};

struct Request {
  std::string_view method;
  std::string_view host;   // the Host header as sent (with :port when not default)
  std::string_view path;   // as sent, already URI-encoded; "/" when empty
  std::string_view query;  // as sent, without '?'
  // Headers to sign besides host, x-amz-date and x-amz-security-token.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view body;
};

struct Signed {
  std::string amz_date;  // YYYYMMDDTHHMMSSZ, to send as X-Amz-Date
  std::string authorization;
  // Intermediate results, for tests and diagnostics.
  std::string canonical_request;
  std::string string_to_sign;
  std::string signed_headers;
  std::string signature;
};

// `unix_seconds` is the signing time (sent as X-Amz-Date).
Signed sign(const Request& request, const Credentials& credentials, std::string_view region,
            std::string_view service, std::int64_t unix_seconds);

// RFC 3986 percent-encoding of everything but unreserved characters (and '/'
// when `keep_slash`), upper-case hex, as SigV4 wants it.
std::string uri_encode(std::string_view text, bool keep_slash);

std::string sha256_hex(std::string_view data);

}  // namespace aiohub::sigv4
