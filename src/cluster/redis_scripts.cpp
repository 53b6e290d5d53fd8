#include "cluster/redis_scripts.hpp"

namespace aiohub::redis_scripts {
namespace {

// Shared by the scripts: liveness of an instance, and the minute windows
// (a port of MinuteWindow in billing/rate_limits.cpp).
constexpr const char* kPrelude = R"LUA(
local MIN = 60000
local function alive(inst, me)
  return inst == me or redis.call('EXISTS', 'aiohub:alive:' .. inst) == 1
end
local function load_window(key, now)
  local start = now - now % MIN
  local w = redis.call('HMGET', key, 'win', 'req_cur', 'req_prev', 'tok_cur', 'tok_prev')
  local s = {win = tonumber(w[1]) or 0, rc = tonumber(w[2]) or 0, rp = tonumber(w[3]) or 0,
             tc = tonumber(w[4]) or 0, tp = tonumber(w[5]) or 0}
  if s.win ~= start then
    if start - s.win == MIN then s.rp, s.tp = s.rc, s.tc else s.rp, s.tp = 0, 0 end
    s.rc, s.tc, s.win = 0, 0, start
  end
  s.left = MIN - (now - start)
  return s
end
local function estimate(s, cur, prev)
  return cur + math.floor(prev * s.left / MIN)
end
local function wait_ms(s, cur, prev, limit)
  local w = 0
  if cur >= limit then
    w = s.left + math.floor(MIN * (cur - limit) / cur) + 1
  elseif prev > 0 then
    w = s.left - math.floor((limit - cur) * MIN / prev) + 1
  end
  if w < 1000 then w = 1000 end
  return w
end
local function save_window(key, s)
  redis.call('HSET', key, 'win', s.win, 'req_cur', s.rc, 'req_prev', s.rp, 'tok_cur', s.tc,
             'tok_prev', s.tp)
  redis.call('PEXPIRE', key, 3 * MIN)
end
)LUA";

constexpr const char* kAdmit = R"LUA(
local me = ARGV[1]
local now = tonumber(ARGV[2])
local rpm, tpm, conc = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local quota, est = tonumber(ARGV[6]), tonumber(ARGV[7])
if conc > 0 then
  local n = 0
  local f = redis.call('HGETALL', KEYS[3])
  for j = 1, #f, 2 do
    if alive(f[j], me) then n = n + tonumber(f[j + 1]) else redis.call('HDEL', KEYS[3], f[j]) end
  end
  if n >= conc then return {1, n} end
end
local s = nil
if rpm > 0 or tpm > 0 then
  s = load_window(KEYS[2], now)
  if tpm > 0 and estimate(s, s.tc, s.tp) >= tpm then return {2, wait_ms(s, s.tc, s.tp, tpm)} end
  if rpm > 0 and estimate(s, s.rc, s.rp) + 1 > rpm then return {3, wait_ms(s, s.rc, s.rp, rpm)} end
end
local held = 0
if quota >= 0 then
  local used = redis.call('HGET', KEYS[1], 'used')
  if not used then
    used = ARGV[8]
    redis.call('HSET', KEYS[1], 'used', used)
  end
  held = tonumber(used)
  local f = redis.call('HGETALL', KEYS[1])
  for j = 1, #f, 2 do
    local name = f[j]
    if string.sub(name, 1, 5) == 'hold:' then
      if alive(string.sub(name, 6), me) then
        held = held + tonumber(f[j + 1])
      else
        redis.call('HDEL', KEYS[1], name)
      end
    end
  end
  if held >= quota then return {4, held} end
  if est > 0 then redis.call('HINCRBY', KEYS[1], 'hold:' .. me, ARGV[7]) end
end
if s then
  if rpm > 0 then s.rc = s.rc + 1 end
  save_window(KEYS[2], s)
end
if conc > 0 then
  redis.call('HINCRBY', KEYS[3], me, 1)
end
return {0, held}
)LUA";

constexpr const char* kSettle = R"LUA(
local me = ARGV[1]
local now = tonumber(ARGV[2])
local reserved, cost, tokens = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local used = 0
if ARGV[7] == '1' then
  if redis.call('HEXISTS', KEYS[1], 'used') == 1 then
    if cost ~= 0 then used = redis.call('HINCRBY', KEYS[1], 'used', ARGV[4]) end
  else
    -- Redis lost the key (restart, flush): the seed already counts this cost.
    redis.call('HSET', KEYS[1], 'used', ARGV[9])
  end
  if reserved ~= 0 then
    local h = redis.call('HINCRBY', KEYS[1], 'hold:' .. me, -reserved)
    if h <= 0 then redis.call('HDEL', KEYS[1], 'hold:' .. me) end
  end
end
if ARGV[8] == '1' and tokens > 0 then
  local s = load_window(KEYS[2], now)
  s.tc = s.tc + tokens
  save_window(KEYS[2], s)
end
if ARGV[6] == '1' then
  local n = redis.call('HINCRBY', KEYS[3], me, -1)
  if n <= 0 then redis.call('HDEL', KEYS[3], me) end
end
return used
)LUA";

constexpr const char* kSync = R"LUA(
local me = ARGV[1]
local hold, slots, local_used = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
if ARGV[5] == '1' then
  local used = tonumber(redis.call('HGET', KEYS[1], 'used'))
  if not used or used < local_used then redis.call('HSET', KEYS[1], 'used', ARGV[4]) end
  if hold > 0 then
    redis.call('HSET', KEYS[1], 'hold:' .. me, ARGV[2])
  else
    redis.call('HDEL', KEYS[1], 'hold:' .. me)
  end
end
if slots > 0 then
  redis.call('HSET', KEYS[2], me, ARGV[3])
else
  redis.call('HDEL', KEYS[2], me)
end
return 0
)LUA";

}  // namespace

const RedisScript& admit() {
  static const RedisScript s(std::string(kPrelude) + kAdmit);
  return s;
}

const RedisScript& settle() {
  static const RedisScript s(std::string(kPrelude) + kSettle);
  return s;
}

const RedisScript& sync() {
  static const RedisScript s(kSync);
  return s;
}

std::string quota_key(std::int64_t key_id) {
  return "aiohub:{" + std::to_string(key_id) + "}:quota";
}
std::string limits_key(std::int64_t key_id) {
  return "aiohub:{" + std::to_string(key_id) + "}:rl";
}
std::string concurrency_key(std::int64_t key_id) {
  return "aiohub:{" + std::to_string(key_id) + "}:conc";
}
std::string alive_key(const std::string& instance) {
  return "aiohub:alive:" + instance;
}

}  // namespace aiohub::redis_scripts
