// src/config: the TOML config loader (parse_config, as `aiohub serve
// --config` reads a file). Any mistake must come out as ConfigError (file and
// line for the operator); any other exception, crash or UB is a finding.
#include "config/config.hpp"
#include "fuzz_support.hpp"

using namespace aiohub;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    Config cfg = parse_config(fuzz::as_view(data, size), "fuzz.toml");
    (void)cfg;
  } catch (const ConfigError&) {
  }
  return 0;
}
