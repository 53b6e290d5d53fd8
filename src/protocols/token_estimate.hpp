#pragma once
// Local token counts for a request, with the o200k_base tokenizer: for
// count_tokens when no upstream can count, and for the input estimate a
// Claude client expects in message_start before the upstream reports usage.
#include <cstdint>

#include "ir/ir.hpp"

namespace aiohub {

// Every text the model reads (system, messages, tool calls and results, tool
// definitions) plus a per-message and per-image allowance. Rounded up by a
// tenth: Claude and Gemini tokenizers count more than o200k on most text, and
// clients that compact a conversation by this number must not start too late.
std::int64_t estimate_prompt_tokens(const ir::Request& request);

// An answer's tokens, for upstreams that report no usage.
std::int64_t estimate_text_tokens(std::string_view text);
std::int64_t estimate_output_tokens(const std::vector<ir::Part>& parts);

}  // namespace aiohub
