#pragma once
// A validating, non-allocating scan of a JSON document's top level.
//
// Passthrough requests only need a few top-level fields (model, stream,
// stream_options); building a full tree of a large conversation for that is
// waste. The scanner checks the whole document against the JSON grammar and
// reports each top-level member as a view of the original bytes, so that the
// gateway can read a field or splice a replacement without re-serializing.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aiohub::json_peek {

struct Member {
  std::string_view key;    // raw key text between the quotes (still escaped)
  std::string_view value;  // raw value text, exactly as in the document
};

struct Object {
  std::vector<Member> members;
  std::size_t open = 0;   // offset of the opening '{'
  std::size_t close = 0;  // offset of the closing '}'

  const Member* find(std::string_view key) const;
};

// No request of any protocol has more top-level fields than this (Chat
// Completions, the largest, has a few dozen); a body with more is refused
// before the gateway spends time on it.
inline constexpr std::size_t kMaxTopLevelMembers = 256;

// Scans `text`, which must hold exactly one JSON object (whitespace around it
// is allowed) of at most `max_members` members. On failure returns a short
// description of what is wrong. Strings must be well-formed UTF-8 and their
// \u escapes pair surrogates, as Boost.JSON requires of the same bytes later.
// Linear in the text, plus O(n log n) key comparisons for the duplicate check.
std::optional<std::string> scan_object(std::string_view text, Object& out,
                                       std::size_t max_members = kMaxTopLevelMembers);

// For tests: how many key comparisons the last scan_object on this thread made.
std::size_t last_scan_key_comparisons();

// Validates any JSON value; nullopt when valid.
std::optional<std::string> validate(std::string_view text);

// The decoded content of a raw JSON string token (with its quotes), or
// nullopt if the token is not a string.
std::optional<std::string> string_value(std::string_view raw);

// `document` with `member`'s value (a view into it) replaced by the JSON
// string `text`; every other byte as it was.
std::string with_string_value(std::string_view document, const Member& member,
                              std::string_view text);

inline bool is_true(std::string_view raw) {
  return raw == "true";
}

}  // namespace aiohub::json_peek
