#include "cluster/redis_client.hpp"

#include <hiredis/hiredis.h>
#include <openssl/evp.h>
#include <poll.h>
#include <spdlog/spdlog.h>

#include <charconv>

#include "util/time.hpp"

namespace aiohub {

std::optional<RedisEndpoint> parse_redis_url(std::string_view url, std::string* error) {
  auto fail = [&](std::string why) -> std::optional<RedisEndpoint> {
    if (error) *error = std::move(why);
    return std::nullopt;
  };
  constexpr std::string_view kScheme = "redis://";
  if (url.rfind(kScheme, 0) != 0) return fail("a Redis URL starts with redis://");
  std::string_view rest = url.substr(kScheme.size());
  RedisEndpoint e;
  auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash + 1);
  if (auto q = path.find('?'); q != std::string_view::npos) path = path.substr(0, q);
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    auto colon = userinfo.find(':');
    if (colon == std::string_view::npos) {
      e.password = std::string(userinfo);  // redis://password@host, as some tools write it
    } else {
      e.username = std::string(userinfo.substr(0, colon));
      e.password = std::string(userinfo.substr(colon + 1));
    }
  }
  std::string_view host = authority;
  if (!host.empty() && host.front() == '[') {  // [::1]:6379
    auto close = host.find(']');
    if (close == std::string_view::npos) return fail("unclosed [ in the Redis host");
    std::string_view after = host.substr(close + 1);
    host = host.substr(1, close - 1);
    if (!after.empty()) {
      if (after.front() != ':') return fail("bad port in the Redis URL");
      authority = after;
    } else {
      authority = {};
    }
  } else if (auto colon = host.rfind(':'); colon != std::string_view::npos) {
    authority = host.substr(colon);
    host = host.substr(0, colon);
  } else {
    authority = {};
  }
  if (!authority.empty()) {
    std::string_view port = authority.substr(1);
    int p = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc() || end != port.data() + port.size() || p <= 0 || p > 65535)
      return fail("bad port in the Redis URL");
    e.port = p;
  }
  if (host.empty()) return fail("the Redis URL names no host");
  e.host = std::string(host);
  if (!path.empty()) {
    int db = 0;
    auto [end, ec] = std::from_chars(path.data(), path.data() + path.size(), db);
    if (ec != std::errc() || end != path.data() + path.size() || db < 0)
      return fail("the Redis URL's path must be a database number");
    e.db = db;
  }
  return e;
}

std::string redact_redis_url(std::string_view url) {
  auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  auto begin = scheme + 3;
  auto slash = url.find('/', begin);
  auto at = url.rfind('@', slash == std::string_view::npos ? url.size() : slash);
  if (at == std::string_view::npos || at < begin) return std::string(url);
  auto colon = url.find(':', begin);
  if (colon != std::string_view::npos && colon < at)
    return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
  return std::string(url.substr(0, begin)) + "***" + std::string(url.substr(at));
}

long long RedisReply::int_at(std::size_t n) const {
  if (type != Type::array || n >= elements.size()) return 0;
  const auto& e = elements[n];
  if (e.type == Type::integer) return e.integer;
  if (e.type == Type::string) {
    long long v = 0;
    std::from_chars(e.str.data(), e.str.data() + e.str.size(), v);
    return v;
  }
  return 0;
}

namespace {

RedisReply convert(const redisReply* r) {
  RedisReply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::string;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::status;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::error;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::integer;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::array;
      out.elements.reserve(r->elements);
      for (std::size_t i = 0; i < r->elements; ++i) out.elements.push_back(convert(r->element[i]));
      break;
    default:
      out.type = RedisReply::Type::nil;
  }
  return out;
}

std::optional<RedisReply> take(void* raw) {
  if (!raw) return std::nullopt;
  auto* r = static_cast<redisReply*>(raw);
  RedisReply out = convert(r);
  freeReplyObject(r);
  return out;
}

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv;
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

std::string sha1_hex(std::string_view s) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(s.data(), s.size(), md, &len, EVP_sha1(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out.push_back(hex[md[i] >> 4]);
    out.push_back(hex[md[i] & 15]);
  }
  return out;
}

}  // namespace

RedisConnection::~RedisConnection() {
  if (c_) redisFree(c_);
}

std::unique_ptr<RedisConnection> RedisConnection::open(const RedisEndpoint& endpoint,
                                                       std::chrono::milliseconds timeout,
                                                       std::string& error) {
  redisContext* c =
      redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port, to_timeval(timeout));
  if (!c) {
    error = "out of memory";
    return nullptr;
  }
  std::unique_ptr<RedisConnection> conn(new RedisConnection(c));
  if (c->err) {
    error = c->errstr;
    return nullptr;
  }
  redisSetTimeout(c, to_timeval(timeout));
  auto check = [&](const RedisArgv& argv) {
    auto r = conn->command(argv);
    if (!r) {
      error = conn->error();
      return false;
    }
    if (r->is_error()) {
      error = r->str;
      return false;
    }
    return true;
  };
  if (!endpoint.password.empty()) {
    RedisArgv auth{"AUTH"};
    if (!endpoint.username.empty()) auth.push_back(endpoint.username);
    auth.push_back(endpoint.password);
    if (!check(auth)) return nullptr;
  }
  if (endpoint.db != 0 && !check({"SELECT", std::to_string(endpoint.db)})) return nullptr;
  return conn;
}

std::optional<RedisReply> RedisConnection::command(const RedisArgv& argv) {
  if (!append(argv)) return std::nullopt;
  return read_reply();
}

bool RedisConnection::append(const RedisArgv& argv) {
  if (c_->err) return false;
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
  for (auto& a : argv) {
    ptrs.push_back(a.data());
    lens.push_back(a.size());
  }
  return redisAppendCommandArgv(c_, static_cast<int>(argv.size()), ptrs.data(), lens.data()) ==
         REDIS_OK;
}

std::optional<RedisReply> RedisConnection::read_reply() {
  if (c_->err) return std::nullopt;
  void* raw = nullptr;
  if (redisGetReply(c_, &raw) != REDIS_OK) return std::nullopt;
  return take(raw);
}

std::optional<RedisReply> RedisConnection::poll_reply(std::chrono::milliseconds wait) {
  if (c_->err) return std::nullopt;
  void* raw = nullptr;
  if (redisGetReplyFromReader(c_, &raw) != REDIS_OK) return std::nullopt;
  if (raw) return take(raw);
  pollfd p{c_->fd, POLLIN, 0};
  int n = ::poll(&p, 1, static_cast<int>(wait.count()));
  if (n <= 0) return std::nullopt;
  if (redisBufferRead(c_) != REDIS_OK) return std::nullopt;
  if (redisGetReplyFromReader(c_, &raw) != REDIS_OK) return std::nullopt;
  return take(raw);
}

bool RedisConnection::broken() const {
  return c_->err != 0;
}

std::string RedisConnection::error() const {
  return c_->err ? std::string(c_->errstr) : std::string();
}

RedisScript::RedisScript(std::string b) : body(std::move(b)), sha(sha1_hex(body)) {}

RedisArgv RedisScript::call(const std::vector<std::string>& keys,
                            const std::vector<std::string>& args) const {
  RedisArgv argv{"EVALSHA", sha, std::to_string(keys.size())};
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

RedisClient::RedisClient(RedisClientOptions options) : options_(std::move(options)) {}

RedisClient::~RedisClient() {
  stop();
}

void RedisClient::add_script(const RedisScript& script) {
  scripts_[script.sha] = script.body;
}

void RedisClient::start() {
  thread_ = std::thread([this] { run(); });
}

void RedisClient::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void RedisClient::submit(Job job) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      queue_.push_back(std::move(job));
      job.done = nullptr;
    }
  }
  if (job.done) {  // stopping: fail it here
    if (job.before) job.before();
    job.done(std::nullopt);
    return;
  }
  wake_.notify_one();
}

void RedisClient::lose(const std::string& why) {
  conn_.reset();
  connected_.store(false, std::memory_order_relaxed);
  next_connect_ms_ = unix_now_ms() + options_.reconnect_every.count();
  if (!outage_logged_) {
    outage_logged_ = true;
    spdlog::critical(
        "redis {} unreachable ({}); quota, rate limits and channel health are now counted by "
        "this instance alone until it is back",
        options_.label, why);
  }
}

bool RedisClient::ensure_connected(std::int64_t now_ms) {
  if (conn_) return true;
  if (now_ms < next_connect_ms_) return false;
  std::string error;
  conn_ = RedisConnection::open(options_.endpoint, options_.timeout, error);
  if (!conn_) {
    lose(error);
    return false;
  }
  connected_.store(true, std::memory_order_relaxed);
  if (outage_logged_)
    spdlog::warn("redis {} is back; reconciling balances and limits", options_.label);
  else if (!ever_connected_)
    spdlog::info("redis {} connected", options_.label);
  outage_logged_ = false;
  ever_connected_ = true;
  next_tick_ms_ = 0;
  std::vector<Job> jobs;
  for (auto& [sha, body] : scripts_)
    jobs.push_back(Job{{"SCRIPT", "LOAD", body}, nullptr, nullptr});
  if (on_connected)
    for (auto& argv : on_connected()) jobs.push_back(Job{std::move(argv), nullptr, nullptr});
  run_batch(jobs);
  return conn_ != nullptr;
}

void RedisClient::run_batch(std::vector<Job>& jobs) {
  std::size_t sent = 0;
  for (; sent < jobs.size(); ++sent) {
    if (jobs[sent].before) jobs[sent].before();
    if (!conn_ || !conn_->append(jobs[sent].argv)) break;
  }
  // Whatever could not be sent fails now.
  for (std::size_t i = sent; i < jobs.size(); ++i) {
    if (i != sent && jobs[i].before) jobs[i].before();
    if (jobs[i].done) jobs[i].done(std::nullopt);
  }
  bool broken = sent < jobs.size() && conn_;
  std::vector<std::optional<RedisReply>> replies(sent);
  for (std::size_t i = 0; i < sent && !broken; ++i) {
    replies[i] = conn_->read_reply();
    if (!replies[i]) broken = true;
  }
  // The server lost its script cache (SCRIPT FLUSH): EVAL the body, which
  // also loads it again.
  for (std::size_t i = 0; i < sent && !broken; ++i) {
    auto& r = replies[i];
    if (!r || !r->is_error() || r->str.rfind("NOSCRIPT", 0) != 0) continue;
    auto it = scripts_.find(jobs[i].argv.size() > 1 ? jobs[i].argv[1] : std::string());
    if (it == scripts_.end()) continue;
    RedisArgv again = jobs[i].argv;
    again[0] = "EVAL";
    again[1] = it->second;
    r = conn_->command(again);
    if (!r) broken = true;
  }
  for (std::size_t i = 0; i < sent; ++i) {
    if (replies[i] && replies[i]->is_error()) spdlog::error("redis: {}", replies[i]->str);
    if (jobs[i].done) jobs[i].done(std::move(replies[i]));
  }
  if (broken && conn_) lose(conn_->error().empty() ? "no answer in time" : conn_->error());
}

void RedisClient::run() {
  for (;;) {
    std::vector<Job> jobs;
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, options_.tick_every, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_ && queue_.empty()) break;
      while (!queue_.empty()) {
        jobs.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    const std::int64_t now = unix_now_ms();
    if (!ensure_connected(now)) {
      for (auto& j : jobs) {
        if (j.before) j.before();
        if (j.done) j.done(std::nullopt);
      }
      continue;
    }
    if (on_tick && now >= next_tick_ms_) {
      next_tick_ms_ = now + options_.tick_every.count();
      std::vector<Job> ticks;
      for (auto& argv : on_tick()) ticks.push_back(Job{std::move(argv), nullptr, nullptr});
      jobs.insert(jobs.begin(), std::make_move_iterator(ticks.begin()),
                  std::make_move_iterator(ticks.end()));
    }
    if (!jobs.empty()) run_batch(jobs);
  }
  conn_.reset();
  connected_.store(false);
}

RedisSubscriber::RedisSubscriber(RedisEndpoint endpoint, std::vector<std::string> channels,
                                 OnMessage on_message, std::function<void()> on_subscribed)
    : endpoint_(std::move(endpoint)),
      channels_(std::move(channels)),
      on_message_(std::move(on_message)),
      on_subscribed_(std::move(on_subscribed)) {}

RedisSubscriber::~RedisSubscriber() {
  stop();
}

void RedisSubscriber::start() {
  thread_ = std::thread([this] { run(); });
}

void RedisSubscriber::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void RedisSubscriber::run() {
  using namespace std::chrono_literals;
  while (!stopping_) {
    std::string error;
    auto conn = RedisConnection::open(endpoint_, 500ms, error);
    if (conn) {
      RedisArgv sub{"SUBSCRIBE"};
      sub.insert(sub.end(), channels_.begin(), channels_.end());
      bool ok = conn->append(sub);
      for (std::size_t i = 0; ok && i < channels_.size(); ++i) ok = conn->read_reply().has_value();
      if (ok) {
        if (on_subscribed_) on_subscribed_();
        while (!stopping_) {
          auto msg = conn->poll_reply(200ms);
          if (!msg) {
            if (conn->broken()) break;
            continue;
          }
          if (msg->type == RedisReply::Type::array && msg->elements.size() == 3 &&
              msg->elements[0].str == "message")
            on_message_(msg->elements[1].str, msg->elements[2].str);
        }
      }
    }
    for (int i = 0; i < 10 && !stopping_; ++i) std::this_thread::sleep_for(100ms);
  }
}

}  // namespace aiohub
