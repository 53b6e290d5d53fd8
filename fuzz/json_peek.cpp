// src/util/json_peek: the validating top-level scanner that passthrough
// routes read model/stream with. Checks, beyond no crash:
// - it agrees with Boost.JSON on what is valid JSON (past the scanner's
//   nesting limit and Boost's UTF-8 check, which the scanner leaves to the
//   upstream), so that the gateway never forwards what it could not read;
// - every member it reports is a valid value, and string_value() of a key
//   agrees with Boost.JSON's reading of it.
#include <boost/json.hpp>

#include "fuzz_support.hpp"
#include "util/json_peek.hpp"

using namespace aiohub;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::as_view(data, size);

  const auto peek_error = json_peek::validate(text);
  boost::json::parse_options opt;
  opt.max_depth = 1024;
  opt.allow_invalid_utf8 = true;  // the scanner does not check UTF-8 either
  boost::system::error_code ec;
  boost::json::monotonic_resource mr;
  (void)boost::json::parse(text, ec, &mr, opt);
  const bool too_deep = peek_error && peek_error->find("too deep") != std::string::npos;
  // The scanner checks \u escapes for four hex digits, not that surrogates
  // pair up (nor does it check UTF-8): Boost.JSON refuses a lone one. Those
  // bodies go upstream as sent; the other direction must always agree.
  const bool surrogate = text.find("\\ud") != std::string_view::npos ||
                         text.find("\\uD") != std::string_view::npos;
  // Boost.JSON also refuses exponents it cannot hold (1e999999999999),
  // which the grammar allows.
  const bool boost_limit = ec == boost::json::error::exponent_overflow;
  if (!too_deep && !((surrogate || boost_limit) && !peek_error) && bool(peek_error) != bool(ec))
    fuzz::fuzz_fail("json_peek::validate says " + (peek_error ? *peek_error : "valid") +
                    ", Boost.JSON says " + (ec ? ec.message() : "valid"));

  json_peek::Object obj;
  if (!json_peek::scan_object(text, obj)) {
    if (ec && !surrogate && !boost_limit)
      fuzz::fuzz_fail("scan_object accepted what Boost.JSON rejects: " + ec.message());
    if (obj.open >= size || obj.close >= size || text[obj.open] != '{' || text[obj.close] != '}')
      fuzz::fuzz_fail("scan_object: open/close offsets do not point at the braces");
    for (const auto& m : obj.members) {
      if (json_peek::validate(m.value))
        fuzz::fuzz_fail("a member's value is not valid JSON on its own");
      if (obj.find(m.key) != &m) fuzz::fuzz_fail("duplicate key accepted");
      std::string quoted = "\"" + std::string(m.key) + "\"";
      auto key = json_peek::string_value(quoted);
      if (!key || *key != m.key) fuzz::fuzz_fail("string_value of an unescaped key differs");
      auto sv = json_peek::string_value(m.value);
      if (m.value.front() == '"') {
        // string_value decodes escapes with Boost.JSON's defaults, which
        // refuse invalid UTF-8 (nullopt: the gateway then refuses the value).
        auto v = boost::json::parse(m.value, ec, &mr);
        if (!ec && v.is_string() && (!sv || *sv != std::string_view(v.get_string())))
          fuzz::fuzz_fail("string_value disagrees with Boost.JSON");
      } else if (sv) {
        fuzz::fuzz_fail("string_value of a non-string");
      }
    }
  }
  (void)json_peek::string_value(text);
  return 0;
}
