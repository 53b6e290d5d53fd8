#include "protocols/anthropic/wire.hpp"

#include <algorithm>
#include <cstdio>

#include "util/crypto.hpp"

namespace aiohub::anthropic::wire {

const json::value* get(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && !v->is_null() ? v : nullptr;
}

std::string_view get_string(const json::object& o, std::string_view key) {
  const json::value* v = get(o, key);
  return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view{};
}

std::int64_t get_int(const json::object& o, std::string_view key) {
  const json::value* v = get(o, key);
  if (!v) return 0;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
  if (v->is_double()) {  // out of range (1e25, say) the cast would be undefined
    const double d = v->get_double();
    if (d > -9.2e18 && d < 9.2e18) return static_cast<std::int64_t>(d);
    return 0;
  }
  return 0;
}

std::string new_id(std::string_view prefix) {
  std::string id(prefix);
  id += random_urlsafe(24);
  return id;
}

namespace {

bool tool_id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

// FNV-1a: stable across processes, unlike std::hash, so a sanitized id is the
// same on every turn of a conversation.
std::uint32_t fnv1a(std::string_view s) {
  std::uint32_t h = 2166136261u;
  for (unsigned char c : s) h = (h ^ c) * 16777619u;
  return h;
}

}  // namespace

std::string tool_id(std::string_view id) {
  if (!id.empty() && std::all_of(id.begin(), id.end(), tool_id_char)) return std::string(id);
  std::string out = id.empty() ? "toolu" : std::string(id);
  std::replace_if(
      out.begin(), out.end(), [](char c) { return !tool_id_char(c); }, '_');
  // Distinct ids that differ only in replaced characters must stay distinct.
  char hash[10];
  std::snprintf(hash, sizeof hash, "_%08x", fnv1a(id));
  return out + hash;
}

Usage parse_usage(const json::object& u) {
  Usage usage;
  usage.cache_read = get_int(u, "cache_read_input_tokens");
  usage.cache_write = get_int(u, "cache_creation_input_tokens");
  usage.input = get_int(u, "input_tokens") + usage.cache_read + usage.cache_write;
  usage.output = get_int(u, "output_tokens");
  if (const json::value* d = get(u, "output_tokens_details"); d && d->is_object())
    usage.reasoning = get_int(d->get_object(), "thinking_tokens");
  usage.reported = true;
  return usage;
}

json::object usage_json(const Usage& u) {
  // Anthropic's input_tokens excludes cached tokens (docs/protocols/mapping.md#usage).
  std::int64_t uncached = std::max<std::int64_t>(0, u.input - u.cache_read - u.cache_write);
  return {{"input_tokens", uncached},
          {"output_tokens", u.output},
          {"cache_read_input_tokens", u.cache_read},
          {"cache_creation_input_tokens", u.cache_write}};
}

std::string arguments_text(const json::value* input) {
  return input ? json::serialize(*input) : std::string("{}");
}

json::object arguments_object(std::string_view arguments) {
  boost::system::error_code ec;
  json::value v = json::parse(arguments, ec);
  // Anthropic accepts only an object; unparsable text cannot be recovered.
  if (ec || !v.is_object()) return {};
  return std::move(v.get_object());
}

std::optional<ir::Part> output_part(const json::object& block) {
  std::string_view type = get_string(block, "type");
  ir::Part p;
  if (type == "text") {
    p.text = get_string(block, "text");
  } else if (type == "thinking") {
    p.kind = ir::PartKind::thinking;
    p.text = get_string(block, "thinking");
    p.signature = get_string(block, "signature");
  } else if (type == "redacted_thinking") {
    p.kind = ir::PartKind::redacted_thinking;
    p.data = get_string(block, "data");
  } else if (type == "tool_use") {
    p.kind = ir::PartKind::tool_call;
    p.tool_call_id = get_string(block, "id");
    p.tool_name = get_string(block, "name");
    p.arguments = arguments_text(get(block, "input"));
  } else {
    return std::nullopt;
  }
  return p;
}

json::value output_block(const ir::Part& p) {
  switch (p.kind) {
    case ir::PartKind::text:
      if (p.text.empty()) return nullptr;
      return json::object{{"type", "text"}, {"text", p.text}};
    case ir::PartKind::thinking:
      return json::object{{"type", "thinking"}, {"thinking", p.text}, {"signature", p.signature}};
    case ir::PartKind::redacted_thinking:
      return json::object{{"type", "redacted_thinking"}, {"data", p.data}};
    case ir::PartKind::tool_call:
      return json::object{
          {"type", "tool_use"},
          {"id", p.tool_call_id.empty() ? new_id("toolu_") : tool_id(p.tool_call_id)},
          {"name", p.tool_name},
          {"input", arguments_object(p.arguments)}};
    default:
      return nullptr;
  }
}

bool parse_data_url(std::string_view url, std::string& mime, std::string& data) {
  constexpr std::string_view kMarker = ";base64,";
  if (!url.starts_with("data:")) return false;
  auto marker = url.find(kMarker);
  if (marker == std::string_view::npos) return false;
  mime = url.substr(5, marker - 5);
  data = url.substr(marker + kMarker.size());
  return true;
}

namespace {
constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
}

std::string base64_encode(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned n = (static_cast<unsigned char>(in[i]) << 16) |
                 (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out.push_back(kAlphabet[(n >> s) & 63]);
  }
  if (i < in.size()) {
    unsigned n = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) n |= static_cast<unsigned char>(in[i + 1]) << 8;
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(i + 1 < in.size() ? kAlphabet[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

std::string base64_decode(std::string_view in) {
  std::string out;
  unsigned n = 0;
  int bits = 0;
  for (char c : in) {
    auto pos = kAlphabet.find(c);
    if (c == '-') pos = 62;  // also accept the URL-safe alphabet
    if (c == '_') pos = 63;
    if (pos == std::string_view::npos) continue;  // padding, line breaks
    n = (n << 6) | static_cast<unsigned>(pos);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((n >> bits) & 0xff));
    }
  }
  return out;
}

int status_for_type(std::string_view type) {
  static constexpr std::pair<std::string_view, int> kTypes[] = {
      {"invalid_request_error", 400}, {"authentication_error", 401},
      {"billing_error", 402},         {"permission_error", 403},
      {"not_found_error", 404},       {"request_too_large", 413},
      {"rate_limit_error", 429},      {"api_error", 500},
      {"timeout_error", 504},         {"overloaded_error", 529},
  };
  for (const auto& [name, status] : kTypes)
    if (name == type) return status;
  return 500;
}

std::optional<std::string> json_completion(std::string_view partial) {
  boost::system::error_code ec;
  if (partial.find_first_not_of(" \t\r\n") == std::string_view::npos) return "{}";
  json::parse(partial, ec);
  if (!ec) return "";
  std::string stack;  // open '{' and '['
  bool in_string = false, escape = false, key_pending = false, string_is_key = false;
  char last = 0;  // last significant character outside strings
  for (char c : partial) {
    if (in_string) {
      if (escape) {
        escape = false;
      } else if (c == '\\') {
        escape = true;
      } else if (c == '"') {
        in_string = false;
        key_pending = string_is_key;
        last = '"';
      }
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    if (c == '"') {
      in_string = true;
      string_is_key = !stack.empty() && stack.back() == '{' && (last == '{' || last == ',');
    } else if (c == '{' || c == '[') {
      stack.push_back(c);
    } else if (c == '}' || c == ']') {
      if (!stack.empty()) stack.pop_back();
    } else if (c == ':') {
      key_pending = false;
    }
    last = c;
  }
  std::string suffix;
  if (in_string) {
    if (escape) suffix += '\\';
    suffix += '"';
  }
  if (key_pending || (in_string && string_is_key)) {
    suffix += ":null";
  } else if (!in_string && last == ':') {
    suffix += "null";
  } else if (!in_string && last == ',') {
    suffix += !stack.empty() && stack.back() == '{' ? "\"\":null" : "null";
  }
  for (auto it = stack.rbegin(); it != stack.rend(); ++it) suffix += *it == '{' ? '}' : ']';
  std::string whole(partial);
  whole += suffix;
  json::parse(whole, ec);
  if (ec) return std::nullopt;
  return suffix;
}

}  // namespace aiohub::anthropic::wire
