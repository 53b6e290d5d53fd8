#pragma once
// Usage as an answer's events report it, read the same way on every path:
// the prompt's size at the start (an estimate on some protocols), the final
// counts in the last message delta; and, for an estimate when the provider
// reports none, the pieces relayed and the text they said.
#include <string>

#include "domain/money.hpp"
#include "ir/ir.hpp"

namespace aiohub {

class UsageMeter {
 public:
  void note(const ir::Event& e);

  // The counts so far (`reported` once a final count arrived).
  const Usage& usage() const { return usage_; }
  bool reported() const { return usage_.reported; }
  // Streamed pieces (about a token each).
  std::int64_t deltas() const { return deltas_; }
  // What the answer said, bounded, for an estimate.
  const std::string& produced() const { return produced_; }

 private:
  Usage usage_;
  std::int64_t deltas_ = 0;
  std::string produced_;
};

}  // namespace aiohub
