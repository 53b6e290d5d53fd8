#include "cluster/redis_shared_state.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include <set>

#include "billing/key_state.hpp"
#include "cluster/redis_scripts.hpp"
#include "router/health.hpp"
#include "util/time.hpp"

namespace aiohub {
namespace {

namespace json = boost::json;
namespace rs = redis_scripts;

RedisClientOptions client_options(const RedisSharedStateOptions& o) {
  RedisClientOptions c;
  std::string error;
  auto endpoint = parse_redis_url(o.url, &error);
  if (!endpoint) throw std::runtime_error("[server] redis: " + error);
  c.endpoint = *endpoint;
  c.timeout = o.timeout;
  c.label = redact_redis_url(o.url);
  return c;
}

std::string health_payload(const std::string& instance, const ChannelHealthRecord& rec) {
  json::object o;
  o["instance"] = instance;
  o["channel"] = rec.channel;
  o["state"] = rec.state;
  o["reason"] = rec.reason;
  o["consecutive_failures"] = rec.consecutive_failures;
  o["since_ms"] = rec.since_ms;
  o["until_ms"] = rec.until_ms;
  return json::serialize(o);
}

std::optional<ChannelHealthRecord> parse_health(const std::string& payload, std::string& from) {
  boost::system::error_code ec;
  auto v = json::parse(payload, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto& o = v.as_object();
  auto str = [&](const char* k) {
    auto* x = o.if_contains(k);
    return x && x->is_string() ? std::string(x->as_string()) : std::string();
  };
  auto num = [&](const char* k) -> std::int64_t {
    auto* x = o.if_contains(k);
    return x && x->is_int64() ? x->as_int64() : 0;
  };
  ChannelHealthRecord rec;
  from = str("instance");
  rec.channel = str("channel");
  rec.state = str("state");
  rec.reason = str("reason");
  rec.consecutive_failures = num("consecutive_failures");
  rec.since_ms = num("since_ms");
  rec.until_ms = num("until_ms");
  if (rec.channel.empty() || rec.state.empty()) return std::nullopt;
  return rec;
}

std::string limit_message(long long code, long long n, const RateLimits& l) {
  switch (code) {
    case 1:
      return "This key already has " + std::to_string(n) + " requests in flight; its limit is " +
             std::to_string(l.concurrency.value_or(0)) + " at once.";
    case 2:
      return "This key used its " + std::to_string(l.tpm.value_or(0)) + " tokens per minute.";
    default:
      return "This key made its " + std::to_string(l.rpm.value_or(0)) + " requests per minute.";
  }
}

// Built outside the coroutine: GCC 12 cannot keep initializer lists in a
// coroutine frame.
RedisArgv admit_argv(const std::string& instance, const Key& key, const RateLimits& l,
                     const RemoteSettler::Hold& hold, bool reserving, Micros seed,
                     std::int64_t now) {
  return rs::admit().call(
      {rs::quota_key(hold.key_id), rs::limits_key(hold.key_id), rs::concurrency_key(hold.key_id)},
      {instance, std::to_string(now), std::to_string(l.rpm.value_or(0)),
       std::to_string(l.tpm.value_or(0)), std::to_string(l.concurrency.value_or(0)),
       std::to_string(reserving ? *key.record.quota : -1), std::to_string(hold.reserved),
       std::to_string(seed)});
}

}  // namespace

RedisSharedState::RedisSharedState(RedisSharedStateOptions options,
                                   std::function<std::shared_ptr<const Snapshot>()> snapshot,
                                   std::function<void()> poke_config)
    : options_(std::move(options)),
      snapshot_(std::move(snapshot)),
      poke_config_(std::move(poke_config)),
      endpoint_(client_options(options_).endpoint),
      client_(client_options(options_)) {
  client_.add_script(rs::admit());
  client_.add_script(rs::settle());
  client_.add_script(rs::sync());
  client_.on_connected = [this] { return reconcile_commands(true); };
  client_.on_tick = [this] { return reconcile_commands(false); };
}

RedisSharedState::~RedisSharedState() {
  stop();
}

void RedisSharedState::start() {
  client_.start();
  subscriber_ = std::make_unique<RedisSubscriber>(
      endpoint_, std::vector<std::string>{rs::kHealthChannel, rs::kConfigChannel},
      [this](const std::string& channel, const std::string& payload) {
        on_message(channel, payload);
      },
      [this] {
        apply_recorded_health();
        // Notices sent while this instance was not listening are lost: look.
        poke_config_();
      });
  subscriber_->start();
}

void RedisSharedState::stop() {
  if (subscriber_) subscriber_->stop();
  client_.stop();
}

awaitable<Admission> RedisSharedState::admit(const AdmitInput& in) {
  const Key& key = *in.key;
  const std::int64_t now = unix_now_ms();
  const RateLimits& l = in.limits;
  const bool reserving = key.record.quota.has_value() && in.estimate.has_value();
  const bool limited = l.rpm || l.tpm || l.concurrency;
  // Nothing to share (no limit, no quota): counted locally, as always.
  if (!reserving && !limited) co_return admit_locally(in, now);

  Hold hold;
  hold.key_id = key.record.id;
  hold.reserved = reserving ? std::max<Micros>(*in.estimate, 0) : 0;
  hold.slot = l.concurrency.has_value();
  hold.quota = key.record.quota.has_value();
  hold.tpm = l.tpm.has_value();
  Micros seed;  // this instance's view of `used`, should Redis not have it
  {
    std::lock_guard lock(mine_mutex_);
    seed = key.state->balance.used.load(std::memory_order_relaxed);
    if (auto m = mine_.find(hold.key_id); m != mine_.end()) seed -= m->second.pending;
  }
  RedisArgv argv = admit_argv(options_.instance_id, key, l, hold, reserving, seed, now);
  std::function<void()> before = [this, hold] {
    std::lock_guard lock(mine_mutex_);
    auto& m = mine_[hold.key_id];
    m.hold += hold.reserved;
    m.slots += hold.slot ? 1 : 0;
  };
  std::function<void(const std::optional<RedisReply>&)> after =
      [this, hold](const std::optional<RedisReply>& r) {
        if (r && r->type == RedisReply::Type::array && r->int_at(0) == 0) return;
        std::lock_guard lock(mine_mutex_);
        auto& m = mine_[hold.key_id];
        m.hold -= hold.reserved;
        m.slots -= hold.slot ? 1 : 0;
      };
  std::optional<RedisReply> reply = co_await client_.async_call(
      std::move(argv), std::move(before), std::move(after), asio::use_awaitable);
  if (!reply || reply->type != RedisReply::Type::array || reply->elements.size() < 2) {
    // Redis is away or too slow: this request is counted here alone.
    co_return admit_locally(in, unix_now_ms());
  }
  Admission a;
  const long long code = reply->int_at(0);
  const long long n = reply->int_at(1);
  if (code == 0) {
    a.ticket = AdmissionTicket::remote(key.state, *this, hold);
  } else if (code == 4) {
    a.refusal = Admission::Refusal::quota;
  } else {
    a.refusal = Admission::Refusal::limit;
    a.verdict.admitted = false;
    a.verdict.message = limit_message(code, n, l);
    a.verdict.retry_after_s = code == 1 ? 1 : (n + 999) / 1000;
  }
  co_return a;
}

void RedisSharedState::settle_remote(const Hold& hold, Micros cost, std::int64_t tokens,
                                     std::int64_t now_ms, KeyBalance& local) {
  Micros local_used;
  {
    std::lock_guard lock(mine_mutex_);
    auto& m = mine_[hold.key_id];
    m.pending += cost;
    aiohub::settle(local, 0, cost);
    // The seed, should Redis have lost the key: with this cost, without the
    // ones still queued (each adds its own when it arrives).
    local_used = local.used.load(std::memory_order_relaxed) - (m.pending - cost);
  }
  const std::vector<std::string> keys{rs::quota_key(hold.key_id), rs::limits_key(hold.key_id),
                                      rs::concurrency_key(hold.key_id)};
  const std::vector<std::string> args{options_.instance_id,
                                      std::to_string(now_ms),
                                      std::to_string(hold.reserved),
                                      std::to_string(cost),
                                      std::to_string(std::max<std::int64_t>(tokens, 0)),
                                      hold.slot ? "1" : "0",
                                      hold.quota ? "1" : "0",
                                      hold.tpm ? "1" : "0",
                                      std::to_string(local_used)};
  RedisClient::Job job;
  job.argv = rs::settle().call(keys, args);
  // Taken off this instance's count when sent: if Redis is away the next
  // reconciliation writes the count as it is, without this hold.
  job.before = [this, hold, cost] {
    std::lock_guard lock(mine_mutex_);
    auto& m = mine_[hold.key_id];
    m.hold -= hold.reserved;
    m.slots -= hold.slot ? 1 : 0;
    m.pending -= cost;
  };
  client_.submit(std::move(job));
}

std::vector<RedisArgv> RedisSharedState::reconcile_commands(bool all_keys) {
  const std::int64_t now = unix_now_ms();
  std::vector<RedisArgv> out;
  out.push_back(
      {"SET", rs::alive_key(options_.instance_id), "1", "PX", std::to_string(rs::kAliveMs)});
  auto snap = snapshot_ ? snapshot_() : nullptr;
  const bool full = all_keys || now >= next_full_reconcile_ms_;
  if (full) next_full_reconcile_ms_ = now + options_.reconcile_every.count();

  std::map<std::int64_t, Mine> mine;
  // id -> (has a quota, used as this instance knows it, less what it has not
  // sent to Redis yet), read under the same lock as the settlements move them.
  std::map<std::int64_t, std::pair<bool, Micros>> keys;
  {
    std::lock_guard lock(mine_mutex_);
    for (auto it = mine_.begin(); it != mine_.end();) {
      mine[it->first] = it->second;
      // Entries back at zero are written once more (below) and dropped.
      if (it->second.hold == 0 && it->second.slots == 0 && it->second.pending == 0)
        it = mine_.erase(it);
      else
        ++it;
    }
    if (snap && (full || !mine.empty()))
      for (auto& [hash, key] : snap->keys_by_hash) {
        Micros used = key.state->balance.used.load(std::memory_order_relaxed);
        if (auto m = mine.find(key.record.id); m != mine.end()) used -= m->second.pending;
        keys[key.record.id] = {key.record.quota.has_value(), used};
      }
  }
  auto sync = [&](std::int64_t id, bool has_quota, Micros local_used) {
    const Mine m = mine.count(id) ? mine[id] : Mine{};
    out.push_back(
        rs::sync().call({rs::quota_key(id), rs::concurrency_key(id)},
                        {options_.instance_id, std::to_string(std::max<Micros>(m.hold, 0)),
                         std::to_string(std::max<std::int64_t>(m.slots, 0)),
                         std::to_string(local_used), has_quota ? "1" : "0"}));
  };
  if (full) {
    for (auto& [id, k] : keys)
      if (all_keys || k.first || mine.count(id)) sync(id, k.first, k.second);
  }
  for (auto& [id, m] : mine) {
    auto it = keys.find(id);
    if (full && it != keys.end()) continue;  // done above
    if (it == keys.end())
      sync(id, false, 0);  // a key no longer configured: its slots and holds only
    else
      sync(id, it->second.first, it->second.second);
  }
  return out;
}

void RedisSharedState::channel_health_changed(const ChannelHealthRecord& rec) {
  const std::string payload = health_payload(options_.instance_id, rec);
  client_.submit(
      RedisClient::Job{{"HSET", rs::kHealthHash, rec.channel, payload}, nullptr, nullptr});
  client_.submit(RedisClient::Job{{"PUBLISH", rs::kHealthChannel, payload}, nullptr, nullptr});
}

void RedisSharedState::config_changed(std::int64_t revision) {
  client_.submit(RedisClient::Job{
      {"PUBLISH", rs::kConfigChannel, options_.instance_id + " " + std::to_string(revision)},
      nullptr,
      nullptr});
}

void RedisSharedState::on_message(const std::string& channel, const std::string& payload) {
  if (channel == rs::kConfigChannel) {
    auto space = payload.rfind(' ');
    if (space != std::string::npos && payload.substr(0, space) == options_.instance_id) return;
    poke_config_();
    return;
  }
  if (channel != rs::kHealthChannel) return;
  std::string from;
  auto rec = parse_health(payload, from);
  if (!rec || from == options_.instance_id) return;
  auto snap = snapshot_();
  if (!snap) return;
  auto it = snap->channel_health.find(rec->channel);
  if (it == snap->channel_health.end()) return;
  it->second->restore(*rec);
  if (rec->state == "healthy")
    spdlog::info("channel '{}' is back in rotation (instance {})", rec->channel, from);
  else
    spdlog::warn("channel '{}' is out of rotation until {} (instance {}): {}", rec->channel,
                 format_rfc3339(rec->until_ms / 1000), from, rec->reason);
}

void RedisSharedState::apply_recorded_health() {
  using namespace std::chrono_literals;
  std::string error;
  auto conn = RedisConnection::open(endpoint_, 500ms, error);
  if (!conn) return;
  auto all = conn->command({"HGETALL", rs::kHealthHash});
  auto snap = snapshot_();
  if (!all || all->type != RedisReply::Type::array || !snap) return;
  const std::int64_t now = unix_now_ms();
  for (std::size_t i = 0; i + 1 < all->elements.size(); i += 2) {
    std::string from;
    auto rec = parse_health(all->elements[i + 1].str, from);
    if (!rec || rec->state == "healthy" || rec->until_ms <= now) continue;
    auto it = snap->channel_health.find(rec->channel);
    if (it == snap->channel_health.end() || !it->second->in_rotation(now)) continue;
    it->second->restore(*rec);
  }
}

}  // namespace aiohub
