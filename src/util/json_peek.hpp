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

// Scans `text`, which must hold exactly one JSON object (whitespace around it
// is allowed). On failure returns a short description of what is wrong.
std::optional<std::string> scan_object(std::string_view text, Object& out);

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
