#include "server/cors.hpp"

#include <cctype>

namespace aiohub {

bool cors_applies(std::string_view path) {
  auto under = [&](std::string_view root) {
    return path.substr(0, root.size()) == root &&
           (path.size() == root.size() || path[root.size()] == '/');
  };
  return under("/v1") || under("/v1beta");
}

namespace {

constexpr std::string_view kAllowed =
    "authorization, x-api-key, x-goog-api-key, content-type, openai-beta, openai-organization, "
    "openai-project, anthropic-version, anthropic-beta, anthropic-dangerous-direct-browser-access, "
    "x-goog-api-client, x-stainless-retry-count, x-stainless-timeout";

bool token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
}

}  // namespace

std::string preflight_headers(const http::fields& request) {
  // The SDKs' x-stainless-* family (os, arch, runtime, lang, package-version,
  // ...) grows; a wildcard would not cover Authorization, so the ones asked
  // for are named back.
  std::string allowed(kAllowed);
  if (auto it = request.find("Access-Control-Request-Headers"); it != request.end()) {
    std::string_view asked = it->value();
    // Named back, so bounded: no SDK asks for more, or longer, names.
    constexpr std::size_t kMaxNames = 64, kMaxNameBytes = 64;
    for (std::size_t names = 0; !asked.empty() && names < kMaxNames; ++names) {
      auto comma = asked.find(',');
      std::string_view name = asked.substr(0, comma);
      asked = comma == std::string_view::npos ? std::string_view{} : asked.substr(comma + 1);
      while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
      while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
      std::string lower;
      for (char c : name)
        lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
      bool clean = !lower.empty() && lower.size() <= kMaxNameBytes;
      for (char c : lower) clean &= token_char(c);
      if (clean && lower.rfind("x-stainless-", 0) == 0 && allowed.find(lower) == std::string::npos)
        allowed += ", " + lower;
    }
  }
  return "Access-Control-Allow-Methods: GET, POST, OPTIONS\r\nAccess-Control-Allow-Headers: " +
         allowed + "\r\nAccess-Control-Max-Age: 86400\r\n";
}

}  // namespace aiohub
