#pragma once
// What instances must share at request speed: admission (rate limits,
// concurrency and quota reservations), channel health and change notices.
//
// SharedState is the seam. The base class is the local implementation, a
// single instance's behaviour: KeyLimiter, KeyBalance and ChannelHealth in
// memory. RedisSharedState (cluster/redis_shared_state.hpp) keeps the same
// things in Redis and falls back to this local accounting, request by
// request, while Redis is unreachable.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "billing/quota.hpp"
#include "billing/rate_limits.hpp"
#include "domain/snapshot.hpp"
#include "server/asio.hpp"

namespace aiohub {

// Where a Redis-admitted request's settlement goes.
class RemoteSettler {
 public:
  struct Hold {
    std::int64_t key_id = 0;
    Micros reserved = 0;
    bool slot = false;   // holds a concurrency slot
    bool quota = false;  // the key has a quota: settle into `used`
    bool tpm = false;    // the key has a tokens-per-minute limit
  };
  virtual ~RemoteSettler() = default;
  // Adds the cost to the local balance's `used` too (so that a fallback to
  // local accounting starts from what this instance knows was spent). Must
  // not block (queues the command).
  virtual void settle_remote(const Hold& hold, Micros cost, std::int64_t tokens,
                             std::int64_t now_ms, KeyBalance& local) = 0;
};

// An admitted request's claim on its key: a concurrency slot and a quota
// reservation, local or in Redis. settle() replaces them by what the request
// came to; destruction without settle() gives them back (cost 0), so that a
// request that throws never keeps its slot or its credit.
class AdmissionTicket {
 public:
  AdmissionTicket() = default;
  AdmissionTicket(const AdmissionTicket&) = delete;
  AdmissionTicket& operator=(const AdmissionTicket&) = delete;
  AdmissionTicket(AdmissionTicket&& o) noexcept { *this = std::move(o); }
  AdmissionTicket& operator=(AdmissionTicket&& o) noexcept;
  ~AdmissionTicket() { release(); }

  // A local slot (and reservation of `reserved`, when `reserving`).
  static AdmissionTicket local(std::shared_ptr<KeyState> state, bool reserving, Micros reserved);
  // Admitted by Redis: settles there, and into the local balance's `used`.
  static AdmissionTicket remote(std::shared_ptr<KeyState> state, RemoteSettler& settler,
                                RemoteSettler::Hold hold);

  void settle(Micros cost, std::int64_t tokens, std::int64_t now_ms);
  void release();
  bool active() const { return state_ != nullptr; }
  bool is_remote() const { return settler_ != nullptr; }
  Micros reserved() const { return reserved_; }

 private:
  std::shared_ptr<KeyState> state_;
  bool reserving_ = false;
  Micros reserved_ = 0;
  RemoteSettler* settler_ = nullptr;
  RemoteSettler::Hold hold_;
};

struct AdmitInput {
  const Key* key = nullptr;
  RateLimits limits;               // effective (the key's, else its group's)
  std::optional<Micros> estimate;  // nullopt: nothing to reserve (a free model)
};

struct Admission {
  enum class Refusal { none, limit, quota };
  Refusal refusal = Refusal::none;
  LimitVerdict verdict;  // the limit's message and Retry-After when refused for one
  AdmissionTicket ticket;
};

// Today's single-instance admission: limits, then the reservation.
Admission admit_locally(const AdmitInput& in, std::int64_t now_ms);

class SharedState {
 public:
  virtual ~SharedState() = default;

  virtual awaitable<Admission> admit(const AdmitInput& in);
  // A channel changed state here (cooled down, back in rotation).
  virtual void channel_health_changed(const ChannelHealthRecord&) {}
  // This instance loaded a new configuration revision.
  virtual void config_changed(std::int64_t) {}

  virtual std::string backend() const { return "local"; }
  // Redis reachable (always true for the local back end).
  virtual bool healthy() const { return true; }
};

}  // namespace aiohub
