#include "protocols/openai_chat/passthrough.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace aiohub::openai_chat {
namespace json = boost::json;

std::optional<std::string> peek_request(std::string_view body, RequestPeek& out) {
  if (auto err = json_peek::scan_object(body, out.object))
    return "We could not parse the JSON body of your request (" + *err + ").";
  const auto* model = out.object.find("model");
  if (!model) return std::string("You must provide a model parameter.");
  auto name = json_peek::string_value(model->value);
  if (!name || name->empty()) return std::string("'model' must be a non-empty string.");
  out.model = std::move(*name);
  if (const auto* messages = out.object.find("messages");
      !messages || messages->value.empty() || messages->value.front() != '[')
    return std::string("'messages' must be an array of messages.");
  if (const auto* stream = out.object.find("stream")) {
    if (stream->value != "true" && stream->value != "false" && stream->value != "null")
      return std::string("'stream' must be a boolean.");
    out.stream = stream->value == "true";
  }
  if (const auto* opts = out.object.find("stream_options"); opts && opts->value.front() == '{') {
    json_peek::Object inner;
    if (auto err = json_peek::scan_object(opts->value, inner)) return "'stream_options': " + *err;
    if (const auto* inc = inner.find("include_usage"))
      out.client_wants_usage = inc->value == "true";
  }
  return std::nullopt;
}

std::string rewrite_request(std::string_view body, const RequestPeek& peek,
                            std::string_view upstream_model) {
  struct Edit {
    std::size_t offset;
    std::size_t length;
    std::string text;
  };
  std::vector<Edit> edits;
  const auto* model = peek.object.find("model");
  if (model && upstream_model != peek.model) {
    auto offset = static_cast<std::size_t>(model->value.data() - body.data());
    edits.push_back({offset, model->value.size(), json::serialize(json::string(upstream_model))});
  }
  if (peek.stream && !peek.client_wants_usage) {
    const auto* opts = peek.object.find("stream_options");
    if (opts && opts->value.front() == '{') {
      // Spliced into the bytes, not parsed: json_peek accepted what a JSON
      // parser may refuse (invalid UTF-8, lone surrogate escapes), and the
      // client's bytes go upstream as sent anyway.
      json_peek::Object inner;
      json_peek::scan_object(opts->value, inner);  // peek_request accepted it
      auto offset = static_cast<std::size_t>(opts->value.data() - body.data());
      if (const auto* inc = inner.find("include_usage")) {
        edits.push_back({offset + static_cast<std::size_t>(inc->value.data() - opts->value.data()),
                         inc->value.size(), "true"});
      } else {
        edits.push_back({offset + 1, 0,
                         inner.members.empty() ? R"("include_usage":true)"
                                               : R"("include_usage":true,)"});
      }
    } else if (opts) {  // null: replace it
      auto offset = static_cast<std::size_t>(opts->value.data() - body.data());
      edits.push_back({offset, opts->value.size(), R"({"include_usage":true})"});
    } else {
      edits.push_back({peek.object.close, 0, R"(,"stream_options":{"include_usage":true})"});
    }
  }
  if (edits.empty()) return std::string(body);
  std::sort(edits.begin(), edits.end(), [](auto& a, auto& b) { return a.offset < b.offset; });
  std::string out;
  out.reserve(body.size() + 64);
  std::size_t at = 0;
  for (auto& e : edits) {
    out.append(body.substr(at, e.offset - at));
    out.append(e.text);
    at = e.offset + e.length;
  }
  out.append(body.substr(at));
  return out;
}

namespace {

std::int64_t int_field(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
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

std::optional<Usage> usage_from_value(const json::value& v) {
  if (!v.is_object()) return std::nullopt;
  const auto& o = v.get_object();
  Usage u;
  u.reported = true;
  u.input = int_field(o, "prompt_tokens");
  u.output = int_field(o, "completion_tokens");
  if (auto* d = o.if_contains("prompt_tokens_details"); d && d->is_object()) {
    u.cache_read = int_field(d->get_object(), "cached_tokens");
    u.cache_write = int_field(d->get_object(), "cache_write_tokens");
  }
  if (auto* d = o.if_contains("completion_tokens_details"); d && d->is_object())
    u.reasoning = int_field(d->get_object(), "reasoning_tokens");
  return u;
}

// The raw value of `"usage"` when the text has a non-null one: a quick check
// before any parsing, since most stream chunks carry none.
bool has_usage_object(std::string_view text) {
  for (auto pos = text.find("\"usage\""); pos != std::string_view::npos;
       pos = text.find("\"usage\"", pos + 7)) {
    auto p = pos + 7;
    while (p < text.size() && (text[p] == ' ' || text[p] == ':' || text[p] == '\t')) ++p;
    if (p < text.size() && text[p] == '{') return true;
  }
  return false;
}

}  // namespace

std::optional<Usage> parse_usage(std::string_view usage_json) {
  boost::system::error_code ec;
  auto v = json::parse(usage_json, ec);
  if (ec) return std::nullopt;
  return usage_from_value(v);
}

std::optional<Usage> usage_from_response(std::string_view body) {
  json_peek::Object obj;
  if (json_peek::scan_object(body, obj)) return std::nullopt;
  const auto* usage = obj.find("usage");
  if (!usage) return std::nullopt;
  return parse_usage(usage->value);
}

void StreamTap::feed(std::string_view bytes, std::string& out) {
  std::string_view data = bytes;
  // The pending bytes hold no event end: only their last three can begin
  // one. (Searching them all again made an event that arrives in many small
  // reads quadratic in its size.)
  std::size_t from = 0;
  if (!pending_.empty()) {
    from = pending_.size() > 3 ? pending_.size() - 3 : 0;
    pending_.append(bytes);
    data = pending_;
  }
  std::size_t start = 0;
  for (;;) {
    // Events end with a blank line; accept LF and CRLF framing.
    auto lf = data.find("\n\n", std::max(start, from));
    auto crlf = data.find("\r\n\r\n", std::max(start, from));
    std::size_t end, term;
    if (lf == std::string_view::npos && crlf == std::string_view::npos) break;
    if (crlf != std::string_view::npos && (lf == std::string_view::npos || crlf < lf)) {
      end = crlf;
      term = 4;
    } else {
      end = lf;
      term = 2;
    }
    std::string_view event = data.substr(start, end + term - start);
    if (inspect(event.substr(0, end - start))) out.append(event);
    start = end + term;
  }
  if (pending_.empty()) {
    if (start < data.size()) pending_.assign(data.substr(start));
  } else {
    pending_.erase(0, start);
  }
}

void StreamTap::finish(std::string& out) {
  if (pending_.empty()) return;
  if (inspect(pending_)) out.append(pending_);
  pending_.clear();
}

bool StreamTap::inspect(std::string_view event) {
  // Collect the data lines (an event may split its payload over several).
  std::string_view payload;
  std::string joined;
  std::size_t pos = 0, data_lines = 0;
  while (pos < event.size()) {
    auto nl = event.find('\n', pos);
    std::string_view line = event.substr(pos, nl == std::string_view::npos ? event.npos : nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = nl == std::string_view::npos ? event.size() : nl + 1;
    if (line.substr(0, 5) != "data:") continue;
    line.remove_prefix(5);
    if (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    if (data_lines++ == 0) {
      payload = line;
    } else {
      if (data_lines == 2) joined.assign(payload);
      joined.push_back('\n');
      joined.append(line);
      payload = joined;
    }
  }
  if (data_lines == 0) return true;  // comments, keep-alives: pass along
  if (payload == "[DONE]") {
    saw_done_ = true;
    return true;
  }
  saw_data_ = true;
  ++data_events_;
  if (payload.substr(0, 9) == "{\"error\":" || payload.find("\"error\"") < 16) saw_error_ = true;
  if (!has_usage_object(payload)) return true;
  boost::system::error_code ec;
  auto v = json::parse(payload, ec);
  if (ec || !v.is_object()) return true;
  auto& o = v.get_object();
  if (auto* u = o.if_contains("usage")) {
    if (auto parsed = usage_from_value(*u)) usage_ = parsed;
  }
  if (!strip_usage_chunk_) return true;
  auto* choices = o.if_contains("choices");
  return !(choices && choices->is_array() && choices->get_array().empty());
}

}  // namespace aiohub::openai_chat
