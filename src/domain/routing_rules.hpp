#pragma once

namespace aiohub {

// How hard the gateway tries before it gives up on a request, and when it
// takes a failing channel out of rotation.
struct RoutingConfig {
  int max_attempts = 3;             // channels tried per request, the first included
  int max_retry_seconds = 60;       // no new try starts later than this after the request came
  int failure_threshold = 3;        // consecutive failures that take a channel out
  int cooldown_seconds = 60;        // out of rotation for this long, then probed
  int auth_cooldown_seconds = 300;  // after an auth or quota error from the upstream
};

}  // namespace aiohub
