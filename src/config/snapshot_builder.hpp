#pragma once
// Builds the configuration snapshot the request path reads from what the
// store holds.
#include <memory>

#include "domain/snapshot.hpp"

namespace aiohub {

class Store;

// Reads the store; key balances and channel health are carried over from
// `previous` when given.
std::shared_ptr<const Snapshot> build_snapshot(Store& store, const Snapshot* previous);

}  // namespace aiohub
