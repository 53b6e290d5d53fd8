#pragma once
// A whole answer replayed as the stream events it would have been: for a
// client that asked for a stream from an upstream that answered whole.
#include <vector>

#include "ir/ir.hpp"

namespace aiohub {

std::vector<ir::Event> response_as_events(const ir::Response& r);

}  // namespace aiohub
