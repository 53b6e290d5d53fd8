#pragma once
// What the four codec test files share: reading a fixture of a protocol's
// wire format, and names for IR enums in readable event dumps.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "ir/ir.hpp"

namespace codec_test {

// tests/fixtures/<protocol>/<name>, whole.
inline std::string read_fixture(const std::string& protocol, const std::string& name) {
  auto path = std::filesystem::path(AIOHUB_TEST_FIXTURES) / protocol / name;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline const char* kind_name(aiohub::ir::PartKind k) {
  using aiohub::ir::PartKind;
  switch (k) {
    case PartKind::text:
      return "text";
    case PartKind::image:
      return "image";
    case PartKind::document:
      return "document";
    case PartKind::tool_call:
      return "tool_call";
    case PartKind::tool_result:
      return "tool_result";
    case PartKind::thinking:
      return "thinking";
    case PartKind::redacted_thinking:
      return "redacted_thinking";
  }
  return "?";
}

inline const char* delta_name(aiohub::ir::DeltaKind k) {
  using aiohub::ir::DeltaKind;
  switch (k) {
    case DeltaKind::text:
      return "text";
    case DeltaKind::arguments:
      return "arguments";
    case DeltaKind::thinking:
      return "thinking";
    case DeltaKind::signature:
      return "signature";
  }
  return "?";
}

}  // namespace codec_test
