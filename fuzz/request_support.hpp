#pragma once
// What the request targets share: a decoded request must re-encode for every
// upstream protocol, and a passthrough body with its model replaced must stay
// one valid JSON object naming the new model.
#include <string>

#include "fuzz_support.hpp"
#include "protocols/token_estimate.hpp"
#include "util/json_peek.hpp"
#include "util/json_peek.hpp"

namespace fuzz {

inline void check_decoded(const aiohub::ir::Request& r) {
  encode_request_everywhere(r);
  (void)aiohub::estimate_prompt_tokens(r);
}

// As same-protocol routes do: scan the top level, replace "model".
inline void check_model_swap(std::string_view body) {
  using namespace aiohub;
  // The peeked views must point into the string with_string_value is given.
  const std::string text(body);
  json_peek::Object obj;
  if (json_peek::scan_object(text, obj)) return;
  const std::string upstream = "upstream-\"model\"\\\xc3\xa9";
  const auto* model = obj.find("model");
  const std::string swapped = model ? json_peek::with_string_value(text, *model, upstream) : text;
  json_peek::Object again;
  if (auto err = json_peek::scan_object(swapped, again))
    fuzz_fail("with_string_value made invalid JSON: " + *err);
  if (obj.find("model")) {
    const auto* m = again.find("model");
    auto v = m ? json_peek::string_value(m->value) : std::nullopt;
    if (!v || *v != upstream) fuzz_fail("with_string_value: model not replaced");
  }
  if (again.members.size() != obj.members.size()) fuzz_fail("with_string_value: members changed");
}

}  // namespace fuzz
