#pragma once
// The Lua scripts that keep quota and rate limits in Redis, one atomic step
// each. Per key id K (the {K} hash tag keeps a key's keys in one slot):
//
//   aiohub:{K}:quota  hash  used         settled spending, cluster-wide (micro-USD)
//                           hold:<inst>  that instance's open reservations
//   aiohub:{K}:rl     hash  win, req_cur, req_prev, tok_cur, tok_prev
//                           (the same weighted two-minute window as MinuteWindow)
//   aiohub:{K}:conc   hash  <inst> -> requests in flight through that instance
//   aiohub:alive:<inst>     set with a 10 s expiry, refreshed every second
//
// What admission compares with the quota ("held") is used plus the holds of
// the instances that are alive: the reservations of an instance that died
// stop counting ten seconds later, as do its concurrency slots.
#include <string>

#include "cluster/redis_client.hpp"

namespace aiohub::redis_scripts {

// KEYS quota rl conc; ARGV inst now_ms rpm tpm concurrency quota estimate seed_used
// (0 for a limit that is not set, quota -1 for none). Seeds `used` with
// seed_used when the hash has none (a new key, or Redis restarted empty).
// Returns {0, held} when admitted (and counted: the request, its slot, its
// hold), else {1, in_flight} concurrency, {2, wait_ms} tpm, {3, wait_ms} rpm,
// {4, held} quota; nothing is counted for a refusal.
const RedisScript& admit();

// KEYS quota rl conc; ARGV inst now_ms reserved cost tokens slot(0|1)
// quota(0|1) tpm(0|1) seed_used. Replaces the reservation by the cost, adds
// the tokens to the minute, gives the slot back. Returns used (or 0).
const RedisScript& settle();

// KEYS quota conc; ARGV inst hold slots local_used has_quota(0|1).
// This instance's own holds and slots as it counts them (exact after an
// outage), and used raised to local_used when below (never lowered: Redis
// counts every settlement at once, the local view lags).
const RedisScript& sync();

std::string quota_key(std::int64_t key_id);
std::string limits_key(std::int64_t key_id);
std::string concurrency_key(std::int64_t key_id);
std::string alive_key(const std::string& instance);

inline constexpr const char* kHealthHash = "aiohub:channel_health";
inline constexpr const char* kHealthChannel = "aiohub:channel_health";
inline constexpr const char* kConfigChannel = "aiohub:config";
inline constexpr int kAliveMs = 10'000;

}  // namespace aiohub::redis_scripts
