#pragma once
// The canonical representation of a conversation (docs/protocols/mapping.md,
// "The IR in one page"). Every protocol codec converts to and from these types
// once, so that N protocols need 2N converters, not N^2. Block-based, because
// the richest protocol (Claude Messages) is.
//
// Invariants:
// - Usage.input counts every prompt token, cached ones included (OpenAI's
//   convention); Anthropic's input_tokens + cache_read + cache_write map to it.
//   Usage.output includes reasoning tokens.
// - Tool-call ids, thinking signatures and encrypted reasoning are opaque
//   strings carried unchanged.
// - Tool-call arguments are JSON text (an object), never parsed on the way.
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/api_error.hpp"
#include "domain/money.hpp"

namespace aiohub::ir {

enum class Role { user, assistant, system };

enum class PartKind {
  text,
  image,              // mime_type + data (base64) or url
  document,           // mime_type + data (base64) or url, e.g. application/pdf
  tool_call,          // tool_call_id, tool_name, arguments (JSON text)
  tool_result,        // tool_call_id, content (text/image parts), is_error
  thinking,           // text + signature (Anthropic signature, Gemini thoughtSignature,
                      // or OpenAI encrypted reasoning content)
  redacted_thinking,  // data holds the opaque payload
};

struct Part {
  PartKind kind = PartKind::text;
  std::string text;
  std::string signature;
  std::string mime_type;
  std::string data;
  std::string url;
  std::string tool_call_id;
  std::string tool_name;
  std::string arguments;
  std::vector<Part> content;  // tool_result only
  bool is_error = false;

  static Part make_text(std::string t) {
    Part p;
    p.text = std::move(t);
    return p;
  }
};

struct Message {
  Role role = Role::user;
  std::vector<Part> parts;
};

struct Tool {
  std::string name;
  std::string description;
  boost::json::value schema;  // JSON schema of the arguments (an object schema)
};

struct ToolChoice {
  enum class Mode { unset, automatic, none, required, specific };
  Mode mode = Mode::unset;
  std::string name;  // for specific
};

struct Reasoning {
  std::optional<std::string> effort;  // "minimal" | "low" | "medium" | "high" | ...
  std::optional<std::int64_t> budget_tokens;
  bool disabled = false;
};

struct ResponseFormat {
  enum class Kind { text, json_object, json_schema };
  Kind kind = Kind::text;
  std::string name;
  boost::json::value schema;
  bool strict = false;
};

struct Request {
  std::string model;
  std::vector<Part> system;       // system/developer/instructions, in order
  std::vector<Message> messages;  // may still hold Role::system for mid-conversation ones
  std::vector<Tool> tools;
  ToolChoice tool_choice;
  std::optional<bool> parallel_tool_calls;
  std::optional<std::int64_t> max_tokens;
  // The most output the gateway reserved credit for: an encoder that must
  // pick a cap of its own (Anthropic requires one) never picks more.
  std::optional<std::int64_t> max_tokens_limit;
  std::optional<double> temperature;
  std::optional<double> top_p;
  std::optional<std::int64_t> top_k;
  std::vector<std::string> stop;
  Reasoning reasoning;
  ResponseFormat response_format;
  bool stream = false;
  std::string user;
};

enum class StopReason {
  end_turn,
  max_tokens,
  stop_sequence,
  tool_use,
  content_filter,
  pause,
  refusal,
  error
};

struct Response {
  std::string id;
  std::string model;
  std::vector<Part> parts;
  StopReason stop = StopReason::end_turn;
  std::string stop_sequence;
  Usage usage;
};

// Stream events: the one sequence every stream decoder produces and every
// stream encoder consumes. Parts are started, receive deltas and are stopped
// one at a time, in index order; tool calls in the same turn are separate parts.
enum class EventKind {
  message_start,
  part_start,
  part_delta,
  part_stop,
  message_delta,
  message_stop,
  error
};
enum class DeltaKind { text, arguments, thinking, signature };

struct Event {
  EventKind kind = EventKind::message_start;
  // message_start
  std::string id;
  std::string model;
  // part_start / part_delta / part_stop
  int index = 0;
  PartKind part_kind = PartKind::text;
  std::string tool_call_id;  // part_start of a tool_call
  std::string tool_name;
  DeltaKind delta_kind = DeltaKind::text;
  std::string delta;  // text, argument JSON fragment, thinking text or signature
  // message_delta
  std::optional<StopReason> stop;
  std::string stop_sequence;
  // message_start (an estimate, may be empty) and message_delta (final counts)
  Usage usage;
  // error
  ApiError error;
};

// The two events every stream decoder emits most.
inline Event part_delta_event(int index, DeltaKind kind, std::string_view text) {
  Event e;
  e.kind = EventKind::part_delta;
  e.index = index;
  e.delta_kind = kind;
  e.delta = text;
  return e;
}

inline Event part_stop_event(int index) {
  Event e;
  e.kind = EventKind::part_stop;
  e.index = index;
  return e;
}

}  // namespace aiohub::ir
