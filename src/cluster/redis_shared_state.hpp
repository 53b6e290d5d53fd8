#pragma once
// SharedState in Redis (`[server] redis = "redis://..."`).
//
// Admission is one EVALSHA (cluster/redis_scripts.hpp) on the client thread,
// pipelined with whatever else is queued; the request's coroutine waits for
// it without holding its thread. Settlement is queued and not waited for.
// When Redis does not answer within the timeout (100 ms) the request is
// admitted or refused by local accounting instead, and so is every request
// while Redis stays away (logged once per outage); the client reconnects in
// the background and then reconciles (see reconcile_commands()).
//
// Money: PostgreSQL stays the record. Every instance still writes each usage
// row, with its cost, to PostgreSQL; Redis only decides admission. A Redis
// restart therefore loses no money: `used` is seeded again from what this
// instance knows was spent (PostgreSQL's committed balance plus its own rows
// not yet written), then raised to each instance's view every few seconds.
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cluster/redis_client.hpp"
#include "cluster/shared_state.hpp"

namespace aiohub {

struct RedisSharedStateOptions {
  std::string url;
  std::string instance_id;
  std::chrono::milliseconds timeout{100};
  std::chrono::milliseconds reconcile_every{2000};
};

class RedisSharedState final : public SharedState, public RemoteSettler {
 public:
  // `snapshot` gives the current configuration (for reconciliation and to
  // apply channel health from other instances); `poke_config` asks for a
  // configuration reload now.
  RedisSharedState(RedisSharedStateOptions options,
                   std::function<std::shared_ptr<const Snapshot>()> snapshot,
                   std::function<void()> poke_config);
  ~RedisSharedState() override;

  void start();
  void stop();

  awaitable<Admission> admit(const AdmitInput& in) override;
  void channel_health_changed(const ChannelHealthRecord& rec) override;
  void config_changed(std::int64_t revision) override;
  std::string backend() const override { return "redis"; }
  bool healthy() const override { return client_.connected(); }

  void settle_remote(const Hold& hold, Micros cost, std::int64_t tokens, std::int64_t now_ms,
                     KeyBalance& local) override;

 private:
  // Run on the client thread after a (re)connect and every reconcile period:
  // this instance's liveness, its own holds and slots as it counts them, and
  // every quota key's `used` raised to the local view.
  std::vector<RedisArgv> reconcile_commands(bool all_keys);
  void on_message(const std::string& channel, const std::string& payload);
  void apply_recorded_health();

  struct Mine {
    Micros hold = 0;
    std::int64_t slots = 0;
    // Settled here (in the local `used`) but not yet sent to Redis: left out
    // of the local view a reconciliation writes, or it would count twice.
    Micros pending = 0;
  };

  RedisSharedStateOptions options_;
  std::function<std::shared_ptr<const Snapshot>()> snapshot_;
  std::function<void()> poke_config_;
  RedisEndpoint endpoint_;
  RedisClient client_;
  std::unique_ptr<RedisSubscriber> subscriber_;
  std::int64_t next_full_reconcile_ms_ = 0;  // client thread

  // What this instance holds in Redis, per key id, changed on the client
  // thread in the order the commands are sent (`pending` also on request
  // threads, together with the local `used`).
  std::mutex mine_mutex_;
  std::map<std::int64_t, Mine> mine_;
};

}  // namespace aiohub
