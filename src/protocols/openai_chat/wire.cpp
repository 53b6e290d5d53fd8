#include "protocols/openai_chat/wire.hpp"

namespace aiohub::openai_chat::wire {

Usage parse_usage(const json::value* usage) {
  Usage u;
  if (!usage || !usage->is_object()) return u;
  const auto& o = usage->get_object();
  u.reported = true;
  u.input = get_int(o, "prompt_tokens");
  u.output = get_int(o, "completion_tokens");
  if (auto* d = get(o, "prompt_tokens_details"); d && d->is_object()) {
    u.cache_read = get_int(d->get_object(), "cached_tokens");
    u.cache_write = get_int(d->get_object(), "cache_write_tokens");
  }
  if (auto* d = get(o, "completion_tokens_details"); d && d->is_object())
    u.reasoning = get_int(d->get_object(), "reasoning_tokens");
  return u;
}

json::object usage_json(const Usage& u) {
  json::object prompt_details{{"cached_tokens", u.cache_read}};
  // Only some upstreams report cache writes; a zero would claim knowledge.
  if (u.cache_write) prompt_details["cache_write_tokens"] = u.cache_write;
  return {{"prompt_tokens", u.input},
          {"completion_tokens", u.output},
          {"total_tokens", u.input + u.output},
          {"prompt_tokens_details", std::move(prompt_details)},
          {"completion_tokens_details", {{"reasoning_tokens", u.reasoning}}}};
}

json::value custom_tool_schema() {
  return {{"type", "object"},
          {"properties", {{"input", {{"type", "string"}}}}},
          {"required", json::array{"input"}}};
}

}  // namespace aiohub::openai_chat::wire
