#pragma once
// Aligned text tables for the shell commands.
#include <string>
#include <vector>

#include "domain/money.hpp"

namespace aiohub::cli {

class TextTable {
 public:
  explicit TextTable(std::vector<std::string> headers, std::vector<bool> right_aligned = {});
  void add(std::vector<std::string> row);
  // Columns two spaces apart; numbers (right_aligned) flush right.
  std::string render() const;

 private:
  std::vector<std::string> headers_;
  std::vector<bool> right_;
  std::vector<std::vector<std::string>> rows_;
};

// Exact decimal USD from micros: 1750000 -> "1.750000".
std::string usd_text(Micros m);

}  // namespace aiohub::cli
