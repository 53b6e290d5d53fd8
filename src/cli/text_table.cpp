#include "cli/text_table.hpp"

#include <algorithm>

namespace aiohub::cli {

TextTable::TextTable(std::vector<std::string> headers, std::vector<bool> right_aligned)
    : headers_(std::move(headers)), right_(std::move(right_aligned)) {
  right_.resize(headers_.size(), false);
}

void TextTable::add(std::vector<std::string> row) {
  row.resize(headers_.size());
  rows_.push_back(std::move(row));
}

std::string TextTable::render() const {
  std::vector<std::size_t> width(headers_.size());
  for (std::size_t i = 0; i < headers_.size(); ++i) width[i] = headers_[i].size();
  for (auto& r : rows_)
    for (std::size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    std::string l;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i) l += "  ";
      const std::size_t pad = width[i] - cells[i].size();
      if (right_[i]) l.append(pad, ' ');
      l += cells[i];
      if (!right_[i] && i + 1 < cells.size()) l.append(pad, ' ');
    }
    while (!l.empty() && l.back() == ' ') l.pop_back();
    out += l;
    out += '\n';
  };
  line(headers_);
  for (auto& r : rows_) line(r);
  return out;
}

std::string usd_text(Micros m) {
  const bool negative = m < 0;
  const std::uint64_t v =
      negative ? 0 - static_cast<std::uint64_t>(m) : static_cast<std::uint64_t>(m);
  std::string frac = std::to_string(v % 1'000'000);
  frac.insert(0, 6 - frac.size(), '0');
  return (negative ? "-" : "") + std::to_string(v / 1'000'000) + "." + frac;
}

}  // namespace aiohub::cli
