#pragma once
// Process logging: JSON lines for machines (the default when stderr is not a
// terminal), plain text for a person at a terminal.
#include <string>

namespace aiohub {

// format: "json", "text" or "auto".
void setup_logging(const std::string& level, const std::string& format);

// `text` as the inside of a JSON string.
std::string json_escape(std::string_view text);

}  // namespace aiohub
