#include "admin/request.hpp"

#include "admin/json_util.hpp"

namespace aiohub::admin {

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::optional<std::vector<std::string>> api_segments(std::string_view path) {
  if (path == "/api") return std::vector<std::string>{};
  if (path.substr(0, 5) != "/api/") return std::nullopt;
  path.remove_prefix(5);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  std::vector<std::string> out;
  while (!path.empty()) {
    auto slash = path.find('/');
    auto seg = percent_decode(path.substr(0, slash), false);
    if (!seg) return std::nullopt;
    out.push_back(std::move(*seg));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

std::map<std::string, std::string> parse_query(std::string_view query) {
  std::map<std::string, std::string> out;
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    auto eq = pair.find('=');
    auto name = percent_decode(pair.substr(0, eq), true);
    auto value = eq == std::string_view::npos ? std::optional<std::string>("")
                                              : percent_decode(pair.substr(eq + 1), true);
    if (!name || !value) bad_request("The query string has a malformed %-escape.");
    if (!name->empty()) out[*name] = *value;
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

AdminResponse method_not_allowed(const AdminRequest& req, std::string_view allow) {
  AdminResponse r;
  r.status = 405;
  r.body = error_json("method_not_allowed", "Method " + req.method + " is not allowed here; use " +
                                                std::string(allow) + ".");
  r.extra_headers = "Allow: " + std::string(allow) + "\r\n";
  return r;
}

}  // namespace aiohub::admin
