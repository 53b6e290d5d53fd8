#pragma once
// A small Redis client on hiredis (Debian 12 ships 0.14: no Asio adapter).
//
// RedisConnection is one synchronous connection with short timeouts, for the
// client thread, `aiohub status` and tests. RedisClient owns one such
// connection on a thread of its own: request coroutines hand it commands and
// are resumed (asio::post to their executor) with the reply, so that no Asio
// thread ever waits on Redis. Commands queued together are pipelined. While
// Redis is unreachable every command fails at once (no waiting) and the
// thread reconnects in the background. RedisSubscriber keeps a SUBSCRIBE
// connection and calls back on each message.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cluster/redis_url.hpp"
#include "server/asio.hpp"

struct redisContext;

namespace aiohub {

struct RedisReply {
  enum class Type { nil, integer, string, status, error, array };
  Type type = Type::nil;
  long long integer = 0;
  std::string str;  // string, status, error
  std::vector<RedisReply> elements;

  bool is_error() const { return type == Type::error; }
  // The n-th element as an integer (0 when absent or not one).
  long long int_at(std::size_t n) const;
};

using RedisArgv = std::vector<std::string>;

class RedisConnection {
 public:
  ~RedisConnection();
  // Connects, authenticates and selects the database within `timeout`; the
  // same timeout then applies to every read and write. Null with `error`.
  static std::unique_ptr<RedisConnection> open(const RedisEndpoint& endpoint,
                                               std::chrono::milliseconds timeout,
                                               std::string& error);

  // Nullopt when the connection broke (it is unusable from then on).
  std::optional<RedisReply> command(const RedisArgv& argv);
  bool append(const RedisArgv& argv);
  std::optional<RedisReply> read_reply();
  // Without blocking: a reply already buffered, else reads what the socket
  // has if it becomes readable within `wait`. Nullopt with broken() false:
  // nothing yet.
  std::optional<RedisReply> poll_reply(std::chrono::milliseconds wait);
  bool broken() const;
  std::string error() const;

 private:
  explicit RedisConnection(redisContext* c) : c_(c) {}
  redisContext* c_;
};

// A Lua script run by EVALSHA; the client falls back to EVAL (which also
// loads it) when the server answers NOSCRIPT (a restart or SCRIPT FLUSH).
struct RedisScript {
  std::string body;
  std::string sha;  // SHA-1 of body, hex
  explicit RedisScript(std::string body);
  // EVALSHA sha nkeys keys... args...
  RedisArgv call(const std::vector<std::string>& keys, const std::vector<std::string>& args) const;
};

struct RedisClientOptions {
  RedisEndpoint endpoint;
  std::chrono::milliseconds timeout{100};  // connect, and each reply
  std::chrono::milliseconds reconnect_every{1000};
  std::chrono::milliseconds tick_every{1000};  // how often `on_tick` runs while connected
  std::string label = "redis";                 // the redacted URL, for logs
};

class RedisClient {
 public:
  using Done = std::function<void(std::optional<RedisReply>)>;
  struct Job {
    RedisArgv argv;
    // Run on the client thread just before the command is sent (or fails):
    // the place to update bookkeeping that must follow the server's order.
    std::function<void()> before;
    Done done;  // on the client thread: keep it short
  };

  explicit RedisClient(RedisClientOptions options);
  ~RedisClient();

  void add_script(const RedisScript& script);
  // Both run on the client thread. `on_connected` runs after each
  // (re)connect, `on_tick` every tick_every while connected; the commands
  // they return are sent before anything queued later (replies ignored, an
  // error is logged).
  std::function<std::vector<RedisArgv>()> on_connected;
  std::function<std::vector<RedisArgv>()> on_tick;

  void start();
  void stop();
  void submit(Job job);
  bool connected() const { return connected_.load(std::memory_order_relaxed); }

  // Sends one command and resumes the caller (on its own executor) with the
  // reply; nullopt when Redis is unreachable or too slow. `before` and
  // `after` (may be empty) run on the client thread around it.
  template <class Token>
  auto async_call(RedisArgv argv, std::function<void()> before,
                  std::function<void(const std::optional<RedisReply>&)> after, Token&& token) {
    return asio::async_initiate<Token, void(std::optional<RedisReply>)>(
        [this](auto handler, RedisArgv argv, std::function<void()> before,
               std::function<void(const std::optional<RedisReply>&)> after) {
          auto executor = asio::get_associated_executor(handler);
          auto shared = std::make_shared<decltype(handler)>(std::move(handler));
          Job job;
          job.argv = std::move(argv);
          job.before = std::move(before);
          job.done = [shared, executor, after = std::move(after)](std::optional<RedisReply> reply) {
            if (after) after(reply);
            asio::post(executor, [shared, reply = std::move(reply)]() mutable {
              (*shared)(std::move(reply));
            });
          };
          submit(std::move(job));
        },
        token, std::move(argv), std::move(before), std::move(after));
  }

 private:
  void run();
  bool ensure_connected(std::int64_t now_ms);
  void lose(const std::string& why);
  void run_batch(std::vector<Job>& jobs);

  RedisClientOptions options_;
  std::map<std::string, std::string> scripts_;  // sha -> body
  std::unique_ptr<RedisConnection> conn_;
  std::atomic<bool> connected_{false};
  bool ever_connected_ = false;
  bool outage_logged_ = false;
  std::int64_t next_connect_ms_ = 0;
  std::int64_t next_tick_ms_ = 0;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

// SUBSCRIBE on a connection of its own; reconnects by itself.
class RedisSubscriber {
 public:
  using OnMessage = std::function<void(const std::string& channel, const std::string& payload)>;
  RedisSubscriber(RedisEndpoint endpoint, std::vector<std::string> channels, OnMessage on_message,
                  std::function<void()> on_subscribed);
  ~RedisSubscriber();
  void start();
  void stop();

 private:
  void run();
  RedisEndpoint endpoint_;
  std::vector<std::string> channels_;
  OnMessage on_message_;
  std::function<void()> on_subscribed_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace aiohub
